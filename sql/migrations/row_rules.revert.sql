-- Undoes `row_rules`; the earlier copies of the functions it replaced follow, then
-- row_rules.revert-end.sql adds back the constraints that call them.
ALTER TABLE wallets.wallets DROP CONSTRAINT wallets_rules;
ALTER TABLE wallets.transactions DROP CONSTRAINT transactions_entry_rules;
ALTER TABLE wallets.bucket_state DROP CONSTRAINT bucket_state_rules;
ALTER TABLE wallets.transfers DROP CONSTRAINT transfers_rules;
ALTER TABLE wallets.holds DROP CONSTRAINT holds_rules;
DROP FUNCTION wallets._wallet_is_sound(wallets.wallets);
DROP FUNCTION wallets._entry_is_sound(wallets.transactions);
DROP FUNCTION wallets._bucket_is_sound(wallets.bucket_state);
DROP FUNCTION wallets._transfer_is_sound(wallets.transfers);
DROP FUNCTION wallets._hold_is_sound(wallets.holds);

-- open becomes generated again. PostgreSQL 15 cannot give an existing column an expression, so
-- the column goes, with the partial indexes and the view wallets.balances that read it, and
-- comes back last, where it was; the view's earlier copy follows.
ALTER TABLE wallets.bucket_state DROP COLUMN open CASCADE;
ALTER TABLE wallets.bucket_state ADD COLUMN open boolean GENERATED ALWAYS AS (remaining > 0) STORED;
CREATE INDEX bucket_state_draw_down
    ON wallets.bucket_state (wallet_id, priority, (coalesce(expires_at, 'infinity'::timestamptz)), transaction_id)
    WHERE open;
CREATE INDEX bucket_state_expiry
    ON wallets.bucket_state (expires_at)
    WHERE open AND expires_at IS NOT NULL;
CREATE INDEX bucket_state_wallet_expiry
    ON wallets.bucket_state (wallet_id, expires_at, transaction_id)
    WHERE open AND expires_at IS NOT NULL;
