-- Verify pgwallets:batch_plans on pg
DO $verify$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_proc
                   WHERE oid = 'wallets.debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean)'::pg_catalog.regprocedure
                     AND proconfig @> ARRAY['plan_cache_mode=force_generic_plan']) THEN
        RAISE EXCEPTION 'pgwallets batch_plans: wallets.debit_many does not force generic plans';
    END IF;
END
$verify$;
