-- Mutable remainder of each credit (bucket). Derived from transactions and allocations;
-- kept so a debit finds its buckets through one index instead of summing allocations.
CREATE TABLE wallets.bucket_state (
    wallet_id bigint NOT NULL,
    transaction_id bigint NOT NULL,
    -- Copies of the credit's own columns, so the draw-down order is one index.
    priority integer NOT NULL,
    expires_at timestamptz,
    -- Free to spend; reserved credits are in held.
    remaining bigint NOT NULL,
    -- True once an expiration entry took the remainder.
    expired boolean NOT NULL DEFAULT false,
    -- Reserved by active holds. Held credits do not expire until their hold ends.
    held bigint NOT NULL DEFAULT 0,
    -- Whether the bucket has credits to draw. The partial indexes test this instead of remaining,
    -- so a debit that leaves something in a bucket changes no indexed value: its update is HOT
    -- (heap-only, no new index entries), which keeps a hot wallet's indexes from bloating.
    -- remaining > 0, set by every writer of remaining and kept exact by the trigger
    -- bucket_state_rules (see _check_bucket_rules.sql for why it is not a generated column).
    open boolean NOT NULL,
    PRIMARY KEY (wallet_id, transaction_id)
    -- Its rules: the trigger bucket_state_rules (triggers/bucket_rules.sql).
) WITH (fillfactor = 80);  -- room on each page for those HOT updates

-- Draw-down order: priority, then earliest expiry (never-expiring sorts last), then oldest.
-- Never is 'infinity' in the key, so a draw-down can start after a row-wise bound (the wallet's
-- draw_from key), which a NULL would make unknown.
CREATE INDEX bucket_state_draw_down
    ON wallets.bucket_state (wallet_id, priority, (coalesce(expires_at, 'infinity'::timestamptz)), transaction_id)
    WHERE open;

-- expire_due finds due buckets across all wallets.
CREATE INDEX bucket_state_expiry
    ON wallets.bucket_state (expires_at)
    WHERE open AND expires_at IS NOT NULL;

-- A sweep finds one wallet's due buckets, oldest first, and its earliest expiry (expiry_floor)
-- in a few index entries, whatever else the wallet or the table holds.
CREATE INDEX bucket_state_wallet_expiry
    ON wallets.bucket_state (wallet_id, expires_at, transaction_id)
    WHERE open AND expires_at IS NOT NULL;

COMMENT ON TABLE wallets.bucket_state IS 'Cache: what is left of each credit. Read it through the view wallets.buckets.';
