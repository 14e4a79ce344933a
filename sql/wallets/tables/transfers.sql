CREATE TABLE wallets.transfers (
    id bigint GENERATED ALWAYS AS IDENTITY,
    -- No foreign keys, as in transactions and holds (check() reports orphans).
    from_wallet_id bigint NOT NULL,
    to_wallet_id bigint NOT NULL,
    asset text NOT NULL,
    amount bigint NOT NULL CHECK (amount > 0),
    category text NOT NULL,
    expiration_policy text NOT NULL CHECK (expiration_policy IN ('preserve', 'none', 'fixed')),
    -- The receiver's expiry under the fixed policy.
    expires_at timestamptz,
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    -- Keyed by the sending wallet, which owns the transfer's idempotency key.
    PRIMARY KEY (from_wallet_id, id),
    CONSTRAINT transfers_distinct_wallets CHECK (from_wallet_id <> to_wallet_id),
    CONSTRAINT transfers_fixed_expiry CHECK ((expiration_policy = 'fixed') = (expires_at IS NOT NULL))
);

CREATE INDEX transfers_id ON wallets.transfers (id);

COMMENT ON TABLE wallets.transfers IS 'Append-only: one row per transfer; its legs are the transactions carrying its id.';
