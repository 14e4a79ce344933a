-- Verify pgwallets:batches on pg
DO $verify$
BEGIN
    IF pg_catalog.to_regprocedure('wallets.credit_many(bigint[],bigint[],text[],timestamptz[],jsonb[],text[],integer[],boolean)') IS NULL
       OR pg_catalog.to_regprocedure('wallets.debit_many(bigint[],bigint[],text[],jsonb[],text[],boolean)') IS NULL THEN
        RAISE EXCEPTION 'pgwallets batches: credit_many or debit_many is missing';
    END IF;
END
$verify$;
