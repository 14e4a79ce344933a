CREATE TABLE wallets.transfers (
    id bigint GENERATED ALWAYS AS IDENTITY,
    -- No foreign keys, as in transactions and holds (check() reports orphans).
    from_wallet_id bigint NOT NULL,
    to_wallet_id bigint NOT NULL,
    asset text NOT NULL,
    amount bigint NOT NULL,
    category text NOT NULL,
    expiration_policy text NOT NULL,  -- preserve, none or fixed
    -- The receiver's expiry under the fixed policy.
    expires_at timestamptz,
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    -- Keyed by the sending wallet, which owns the transfer's idempotency key.
    PRIMARY KEY (from_wallet_id, id)
    -- Its rules: the trigger transfers_rules (triggers/transfer_rules.sql).
);

CREATE INDEX transfers_id ON wallets.transfers (id);

COMMENT ON TABLE wallets.transfers IS 'Append-only: one row per transfer; its legs are the transactions carrying its id.';
