-- Verify pgwallets:lean_capture on pg
DO $verify$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_proc WHERE oid = pg_catalog.to_regprocedure('wallets._lock_hold(bigint,timestamptz)')
                   AND proargnames @> ARRAY['wallet']) THEN
        RAISE EXCEPTION 'pgwallets lean_capture: _lock_hold(bigint, timestamptz) does not return the wallet';
    END IF;
END
$verify$;
