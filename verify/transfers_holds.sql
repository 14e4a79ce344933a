-- Verify pgwallets:transfers_holds on pg
DO $verify$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(name, ', ') INTO missing
    FROM unnest(ARRAY['wallets.transfers', 'wallets.holds', 'wallets.hold_allocations', 'wallets.balances']) AS name
    WHERE pg_catalog.to_regclass(name) IS NULL;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'pgwallets transfers_holds: missing relations %', missing;
    END IF;

    SELECT string_agg(name, ', ') INTO missing
    FROM unnest(ARRAY['wallets.transfer(bigint,bigint,bigint,text,text,timestamptz,jsonb,text)',
                      'wallets.hold(bigint,bigint,timestamptz,jsonb,text)', 'wallets.capture(bigint,bigint,text,jsonb)',
                      'wallets.release(bigint)', 'wallets.void_credit(bigint,text)', 'wallets.set_expiry(bigint,timestamptz)',
                      'wallets.reverse_debit(bigint,bigint,text)']) AS name
    WHERE pg_catalog.to_regprocedure(name) IS NULL;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'pgwallets transfers_holds: missing functions %', missing;
    END IF;

    IF (SELECT count(*) FROM pg_catalog.pg_attribute
        WHERE attrelid = 'wallets.transactions'::regclass AND attname IN ('transfer_id', 'hold_id', 'reversal_of') AND NOT attisdropped) <> 3 THEN
        RAISE EXCEPTION 'pgwallets transfers_holds: transactions lacks transfer_id, hold_id or reversal_of';
    END IF;
END
$verify$;
