-- Brings a database deployed with the change `core` to the tables of `transfers_holds`; the new
-- tables, views and functions follow as copies of their files under sql/wallets/.
ALTER TABLE wallets.wallets ADD COLUMN held bigint NOT NULL DEFAULT 0 CHECK (held >= 0);
COMMENT ON TABLE wallets.wallets IS 'One wallet per (owner, asset). ledger_balance, debt, expiry_floor and held are caches of the ledger.';

ALTER TABLE wallets.transactions
    ADD COLUMN transfer_id bigint,
    ADD COLUMN hold_id bigint,
    ADD COLUMN reversal_of bigint;
CREATE INDEX transactions_id ON wallets.transactions (id);
CREATE INDEX transactions_reversal_of
    ON wallets.transactions (wallet_id, reversal_of)
    WHERE reversal_of IS NOT NULL;

ALTER TABLE wallets.bucket_state ADD COLUMN held bigint NOT NULL DEFAULT 0 CHECK (held >= 0);

-- _draw_down gained a hold_id argument.
DROP FUNCTION wallets._draw_down(bigint, bigint, bigint);
