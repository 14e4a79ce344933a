-- Verify pgwallets:row_rules on pg
DO $verify$
BEGIN
    IF pg_catalog.to_regprocedure('wallets._wallet_is_sound(wallets.wallets)') IS NULL
       OR pg_catalog.to_regprocedure('wallets._bucket_is_sound(wallets.bucket_state)') IS NULL
       OR NOT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = 'wallets.bucket_state'::pg_catalog.regclass
                      AND conname = 'bucket_state_rules')
       OR EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = 'wallets.bucket_state'::pg_catalog.regclass
                  AND attname = 'open' AND attgenerated <> '') THEN
        RAISE EXCEPTION 'pgwallets row_rules: the whole-row rule functions, bucket_state_rules or a plain open column is missing';
    END IF;
END
$verify$;
