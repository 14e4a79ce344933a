-- Undoes `batches`; the earlier copies of the functions and views it replaced follow.
DROP FUNCTION wallets.credit_many(bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean);
DROP FUNCTION wallets.debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean);
DROP FUNCTION wallets._lock_wallets(bigint[]);
DROP FUNCTION wallets._swept_wallet(bigint, timestamptz);
DROP FUNCTION wallets._check_batch(text, bigint[], bigint[], integer[], boolean);
DROP FUNCTION wallets._batch_length(anyarray);
DROP FUNCTION wallets._problem_detail(jsonb);
DROP FUNCTION wallets._debit_problem(bigint, bigint, bigint, boolean, bigint);
DROP FUNCTION wallets._replay_problem(wallets.transactions, bigint, text, timestamptz, integer, jsonb);
DROP FUNCTION wallets._no_wallet(bigint);
DROP FUNCTION wallets._entry_problem(bigint, bigint, text, jsonb);
DROP FUNCTION wallets._raise(jsonb);
DROP VIEW wallets.balances;  -- it reads bucket_state.open; recreated below as it was
DROP INDEX wallets.bucket_state_draw_down, wallets.bucket_state_expiry;
ALTER TABLE wallets.bucket_state DROP COLUMN open;
ALTER TABLE wallets.bucket_state RESET (fillfactor);
ALTER TABLE wallets.transactions ADD CONSTRAINT transactions_wallet_id_fkey FOREIGN KEY (wallet_id) REFERENCES wallets.wallets (id);
CREATE INDEX bucket_state_draw_down
    ON wallets.bucket_state (wallet_id, priority, expires_at, transaction_id)
    WHERE remaining > 0;
CREATE INDEX bucket_state_expiry
    ON wallets.bucket_state (expires_at)
    WHERE remaining > 0 AND expires_at IS NOT NULL;
