CREATE TABLE wallets.transactions (
    id bigint GENERATED ALWAYS AS IDENTITY,
    -- No foreign key: every write finds the wallet under its lock first, and a per-row RI check
    -- costs each ledger write more than the rest of its INSERT (wallets.check() reports orphans).
    wallet_id bigint NOT NULL,
    amount bigint NOT NULL,
    category text NOT NULL,
    expires_at timestamptz,
    -- Draw-down priority of a credit (0 first, 100 last); NULL on debits.
    priority integer,
    balance_before bigint NOT NULL,
    balance_after bigint NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    idempotency_key text,
    created_at timestamptz NOT NULL,
    -- The transfer a transfer_out or transfer_in leg belongs to.
    transfer_id bigint,
    -- The hold a capture settles.
    hold_id bigint,
    -- On a reversal credit: the debit it gives back.
    reversal_of bigint,
    -- wallet_id leads every key so the table can be distributed by it.
    PRIMARY KEY (wallet_id, id)
    -- Its rules: the trigger transactions_entry_rules (triggers/entry_rules.sql).
);

CREATE UNIQUE INDEX transactions_idempotency_key
    ON wallets.transactions (wallet_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- Lookups by transaction id alone (void_credit, set_expiry, reverse_debit). Not unique: a unique
-- index would have to include wallet_id to be distributable; the identity keeps ids unique.
CREATE INDEX transactions_id ON wallets.transactions (id);

CREATE INDEX transactions_reversal_of
    ON wallets.transactions (wallet_id, reversal_of)
    WHERE reversal_of IS NOT NULL;

COMMENT ON TABLE wallets.transactions IS 'Append-only ledger: one signed entry per movement, with the wallet balance before and after it.';
