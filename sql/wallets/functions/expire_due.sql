CREATE OR REPLACE FUNCTION wallets.expire_due(batch_size integer DEFAULT 10000)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    as_of timestamptz := wallets.now();
    due record;
    expired_count bigint := 0;
BEGIN
    IF batch_size IS NULL OR batch_size <= 0 THEN
        PERFORM wallets._fail('WL012', format('batch_size must be positive, got %s', coalesce(batch_size::text, 'NULL')),
                              jsonb_build_object('argument', 'batch_size', 'value', batch_size));
    END IF;
    -- The batch is the batch_size oldest due buckets across all wallets; each wallet expires as
    -- many of its own oldest as the batch holds, so one wallet with many due buckets cannot take
    -- the place of older ones elsewhere. Wallets with lapsed holds join the batch: the sweep ends
    -- those holds first. Wallets in ascending id order, like every multi-wallet lock. A wallet
    -- locked by a writer is skipped: that writer sweeps it itself, and the sweeper never waits.
    FOR due IN
        SELECT batch.wallet_id,
               -- A wallet with lapsed holds is swept whole: returned credits may be due too.
               CASE WHEN bool_or(batch.lapsed_hold) THEN NULL ELSE count(*) END AS buckets
        FROM ((SELECT b.wallet_id, false AS lapsed_hold FROM wallets.bucket_state b
               WHERE b.open AND b.expires_at <= as_of
               ORDER BY b.expires_at LIMIT batch_size)
              UNION ALL
              SELECT h.wallet_id, true FROM wallets.holds h
              WHERE h.status = 'active' AND h.expires_at <= as_of) batch
        GROUP BY batch.wallet_id
        ORDER BY batch.wallet_id
    LOOP
        IF pg_try_advisory_xact_lock(wallets._lock_key(due.wallet_id)) THEN
            expired_count := expired_count + wallets._expire_wallet(due.wallet_id, as_of, due.buckets);
        END IF;
    END LOOP;
    RETURN expired_count;
END
$$;

COMMENT ON FUNCTION wallets.expire_due(integer) IS
'End every hold past its expiry (its credits return to their buckets), post an expiration entry for up to batch_size buckets past expiry (oldest first), and return how many buckets expired. Wallets busy with a write are skipped; their next write sweeps them. Meant for a scheduler (pg_cron). Errors: WL012.';
REVOKE ALL ON FUNCTION wallets.expire_due(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.expire_due(integer) TO wallets_app;
