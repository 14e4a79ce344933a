-- Brings the tables to `batches`: the generated column open replaces remaining in bucket_state's
-- partial indexes, so debits that leave a bucket open are HOT updates; transactions loses its
-- foreign key to wallets, whose per-row check was the largest part of a ledger INSERT.
ALTER TABLE wallets.transactions DROP CONSTRAINT transactions_wallet_id_fkey;
ALTER TABLE wallets.bucket_state ADD COLUMN open boolean GENERATED ALWAYS AS (remaining > 0) STORED;
ALTER TABLE wallets.bucket_state SET (fillfactor = 80);
DROP INDEX wallets.bucket_state_draw_down;
CREATE INDEX bucket_state_draw_down
    ON wallets.bucket_state (wallet_id, priority, expires_at, transaction_id)
    WHERE open;
DROP INDEX wallets.bucket_state_expiry;
CREATE INDEX bucket_state_expiry
    ON wallets.bucket_state (expires_at)
    WHERE open AND expires_at IS NOT NULL;
