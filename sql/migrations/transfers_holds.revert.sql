-- Undoes `transfers_holds`; the earlier copies of the functions and views it replaced follow.
DROP FUNCTION wallets.transfer(bigint, bigint, bigint, text, text, timestamptz, jsonb, text);
DROP FUNCTION wallets.hold(bigint, bigint, timestamptz, jsonb, text);
DROP FUNCTION wallets.capture(bigint, bigint, text, jsonb);
DROP FUNCTION wallets.release(bigint);
DROP FUNCTION wallets.void_credit(bigint, text);
DROP FUNCTION wallets.set_expiry(bigint, timestamptz);
DROP FUNCTION wallets.reverse_debit(bigint, bigint, text);
DROP FUNCTION wallets._post_credit(wallets.wallets, bigint, text, timestamptz, integer, jsonb, timestamptz, text, bigint, bigint);
DROP FUNCTION wallets._post_debit(wallets.wallets, bigint, text, jsonb, timestamptz, text, bigint, bigint);
DROP FUNCTION wallets._remove_from_bucket(bigint, bigint, bigint, bigint, text, jsonb, timestamptz);
DROP FUNCTION wallets._settle_hold(wallets.holds, bigint, bigint, text, timestamptz);
DROP FUNCTION wallets._lock_hold(bigint, timestamptz);
DROP FUNCTION wallets._lock_transaction(bigint);
DROP FUNCTION wallets._draw_down(bigint, bigint, bigint, bigint);
DROP VIEW wallets.balances;
DROP VIEW wallets.buckets;  -- it reads bucket_state.held; recreated below as it was
DROP TABLE wallets.hold_allocations, wallets.holds, wallets.transfers;
DROP INDEX wallets.transactions_id, wallets.transactions_reversal_of;
ALTER TABLE wallets.transactions DROP COLUMN transfer_id, DROP COLUMN hold_id, DROP COLUMN reversal_of;
ALTER TABLE wallets.bucket_state DROP COLUMN held;
ALTER TABLE wallets.wallets DROP COLUMN held;
COMMENT ON TABLE wallets.wallets IS 'One wallet per (owner, asset). ledger_balance, debt and expiry_floor are caches of the ledger.';
