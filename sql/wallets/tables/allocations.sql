CREATE TABLE wallets.allocations (
    wallet_id bigint NOT NULL,
    -- The negative entry (debit, expiration) that consumed credits.
    transaction_id bigint NOT NULL,
    -- The credit (bucket) it consumed them from.
    source_transaction_id bigint NOT NULL,
    amount bigint NOT NULL CHECK (amount > 0),
    PRIMARY KEY (wallet_id, transaction_id, source_transaction_id)
    -- No foreign keys to wallets.transactions: PostgreSQL refuses TRUNCATE of a referenced table
    -- before any trigger runs, which would hide the append-only error (WL010). Rows are written
    -- only by the ledger functions, and wallets.check() reports any allocation without its entries.
);

COMMENT ON TABLE wallets.allocations IS 'Append-only: which buckets each negative entry drew from. A debt repaid by a later credit is allocated to that credit.';
