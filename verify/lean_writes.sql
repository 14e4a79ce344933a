-- Verify pgwallets:lean_writes on pg
DO $verify$
BEGIN
    IF pg_catalog.to_regprocedure('wallets._sweep_is_due(timestamptz,timestamptz)') IS NULL
       OR NOT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = 'wallets.wallets'::pg_catalog.regclass AND conname = 'wallets_rules')
       OR NOT EXISTS (SELECT FROM pg_catalog.pg_proc WHERE oid = pg_catalog.to_regprocedure('wallets._lock_hold(bigint,timestamptz)')
                      AND proargnames @> ARRAY['wallet']) THEN
        RAISE EXCEPTION 'pgwallets lean_writes: _sweep_is_due, wallets_rules or _lock_hold(...) returning the wallet is missing';
    END IF;
END
$verify$;
