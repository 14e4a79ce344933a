-- Mutable outstanding (unbacked) part of each debit on an allow_negative wallet.
CREATE TABLE wallets.debt_state (
    wallet_id bigint NOT NULL,
    transaction_id bigint NOT NULL,
    outstanding bigint NOT NULL CHECK (outstanding >= 0),
    PRIMARY KEY (wallet_id, transaction_id)
);

COMMENT ON TABLE wallets.debt_state IS 'Cache: unbacked part of each debit, repaid oldest first by later credits.';
