CREATE TABLE wallets.hold_allocations (
    wallet_id bigint NOT NULL,
    hold_id bigint NOT NULL,
    -- The bucket the hold reserved credits from.
    source_transaction_id bigint NOT NULL,
    amount bigint NOT NULL CHECK (amount > 0),
    PRIMARY KEY (wallet_id, hold_id, source_transaction_id)
);

COMMENT ON TABLE wallets.hold_allocations IS 'Append-only: which buckets each hold reserved, and how much.';
