-- Verify pgwallets:fast_paths on pg
DO $verify$
BEGIN
    IF pg_catalog.to_regprocedure('wallets._entry_is_sound(bigint,integer,timestamptz,bigint,bigint)') IS NULL
       OR NOT EXISTS (SELECT FROM pg_catalog.pg_trigger WHERE tgname = 'wallets_identity'
                      AND tgrelid = 'wallets.wallets'::pg_catalog.regclass) THEN
        RAISE EXCEPTION 'pgwallets fast_paths: _entry_is_sound or the trigger wallets_identity is missing';
    END IF;
END
$verify$;
