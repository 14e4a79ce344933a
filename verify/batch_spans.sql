-- Verify pgwallets:batch_spans on pg
DO $verify$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_proc
                   WHERE oid = 'wallets.debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean)'::pg_catalog.regprocedure
                     AND prosrc LIKE '%taken_before%') THEN
        RAISE EXCEPTION 'pgwallets batch_spans: wallets.debit_many does not take its spans from the item loop';
    END IF;
END
$verify$;
