-- Undoes `draw_from`; the earlier copies of the functions it replaced follow.
DROP FUNCTION wallets._draw_down(wallets.wallets, bigint, bigint, bigint);
DROP FUNCTION wallets._sorts_before(integer, timestamptz, bigint, integer, timestamptz, bigint);

DROP INDEX wallets.bucket_state_wallet_expiry;
DROP INDEX wallets.bucket_state_draw_down;
CREATE INDEX bucket_state_draw_down
    ON wallets.bucket_state (wallet_id, priority, expires_at, transaction_id)
    WHERE open;

ALTER TABLE wallets.wallets
    DROP COLUMN draw_from_priority,
    DROP COLUMN draw_from_expiry,
    DROP COLUMN draw_from_id;
COMMENT ON TABLE wallets.wallets IS 'One wallet per (owner, asset). ledger_balance, debt, expiry_floor and held are caches of the ledger.';
