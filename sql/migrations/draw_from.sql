-- Brings the tables to `draw_from` (profiled on a hot wallet; see issue 4's note): every bucket
-- a debit empties leaves a dead entry at the head of its wallet's range in the draw-down index
-- until VACUUM, and every later draw-down walked them all. Wallets now carry the key where the
-- next draw-down starts, and the index sorts never-expiring buckets under 'infinity' so that a
-- row-wise bound on the key can start the scan. The defaults put every existing wallet's key
-- before all of its buckets, which holds.
ALTER TABLE wallets.wallets
    ADD COLUMN draw_from_priority integer NOT NULL DEFAULT -1,
    ADD COLUMN draw_from_expiry timestamptz,
    ADD COLUMN draw_from_id bigint NOT NULL DEFAULT 0;
COMMENT ON TABLE wallets.wallets IS 'One wallet per (owner, asset). ledger_balance, debt, expiry_floor, held and the draw_from key are caches of the ledger.';

DROP INDEX wallets.bucket_state_draw_down;
CREATE INDEX bucket_state_draw_down
    ON wallets.bucket_state (wallet_id, priority, (coalesce(expires_at, 'infinity'::timestamptz)), transaction_id)
    WHERE open;

-- The draw-down index no longer holds expires_at itself, which a sweep's look-ups of one
-- wallet's due buckets and earliest expiry read from it without visiting the heap; they get an
-- index of their own (expire_due over 1,000,000 buckets, one per wallet per batch: 4,035
-- buckets/s without it).
CREATE INDEX bucket_state_wallet_expiry
    ON wallets.bucket_state (wallet_id, expires_at, transaction_id)
    WHERE open AND expires_at IS NOT NULL;

-- _draw_down now takes the wallet's row (for its key) and returns the key with the rest.
DROP FUNCTION wallets._draw_down(bigint, bigint, bigint, bigint);
