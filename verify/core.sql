-- Verify pgwallets:core on pg
DO $verify$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(name, ', ') INTO missing
    FROM unnest(ARRAY['wallets.wallets', 'wallets.transactions', 'wallets.allocations', 'wallets.bucket_state',
                      'wallets.debt_state', 'wallets.buckets', 'wallets.error_codes']) AS name
    WHERE pg_catalog.to_regclass(name) IS NULL;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'pgwallets core: missing relations %', missing;
    END IF;

    SELECT string_agg(name, ', ') INTO missing
    FROM unnest(ARRAY['wallets.now()', 'wallets.open_wallet(text,text,boolean,jsonb)', 'wallets.find_wallet(text,text)',
                      'wallets.owner_wallets(text)', 'wallets.credit(bigint,bigint,text,timestamptz,jsonb,text,integer)',
                      'wallets.debit(bigint,bigint,text,jsonb,text)', 'wallets.balance(bigint)',
                      'wallets.expire_due(integer)', 'wallets.history(bigint,bigint,integer)', 'wallets.check(bigint)']) AS name
    WHERE pg_catalog.to_regprocedure(name) IS NULL;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'pgwallets core: missing functions %', missing;
    END IF;

    IF (SELECT count(*) FROM pg_catalog.pg_trigger
        WHERE tgname IN ('transactions_append_only', 'allocations_append_only') AND NOT tgisinternal) <> 2 THEN
        RAISE EXCEPTION 'pgwallets core: append-only triggers are missing';
    END IF;
END
$verify$;
