CREATE TABLE wallets.transactions (
    id bigint GENERATED ALWAYS AS IDENTITY,
    wallet_id bigint NOT NULL REFERENCES wallets.wallets (id),
    amount bigint NOT NULL CHECK (amount <> 0),
    category text NOT NULL,
    expires_at timestamptz,
    -- Draw-down priority of a credit (0 first, 100 last); NULL on debits.
    priority integer CHECK (priority BETWEEN 0 AND 100),
    balance_before bigint NOT NULL,
    balance_after bigint NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    idempotency_key text,
    created_at timestamptz NOT NULL,
    -- wallet_id leads every key so the table can be distributed by it.
    PRIMARY KEY (wallet_id, id),
    CHECK (balance_after = balance_before + amount),
    CHECK ((amount > 0) = (priority IS NOT NULL)),
    CHECK (amount > 0 OR expires_at IS NULL)
);

CREATE UNIQUE INDEX transactions_idempotency_key
    ON wallets.transactions (wallet_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

COMMENT ON TABLE wallets.transactions IS 'Append-only ledger: one signed entry per movement, with the wallet balance before and after it.';
