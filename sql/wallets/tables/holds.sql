-- Reservations: credits set aside from specific buckets, later captured (in part or whole) or
-- released. Mutable status, unlike the ledger: a hold posts nothing until it is captured.
CREATE TABLE wallets.holds (
    id bigint GENERATED ALWAYS AS IDENTITY,
    -- No foreign key, as in transactions: every write finds the wallet under its lock first, and
    -- a referenced wallets row makes each balance update pay for RI triggers (check() reports orphans).
    wallet_id bigint NOT NULL,
    amount bigint NOT NULL,
    captured_amount bigint NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'active',  -- active, captured, released or expired
    expires_at timestamptz NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    idempotency_key text,
    created_at timestamptz NOT NULL,
    closed_at timestamptz,
    PRIMARY KEY (wallet_id, id)
    -- Its rules: the trigger holds_rules (triggers/hold_rules.sql).
);

CREATE UNIQUE INDEX holds_idempotency_key
    ON wallets.holds (wallet_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- capture(hold_id) and release(hold_id) find a hold by id alone.
CREATE INDEX holds_id ON wallets.holds (id);

-- Active holds by expiry, per wallet (sweeps) and in all (expire_due).
CREATE INDEX holds_active_expiry
    ON wallets.holds (wallet_id, expires_at)
    WHERE status = 'active';

COMMENT ON TABLE wallets.holds IS 'Reservations of credits: active, then captured, released or expired.';
