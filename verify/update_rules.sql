-- Verify pgwallets:update_rules on pg
DO $verify$
BEGIN
    IF (SELECT count(*) FROM pg_catalog.pg_trigger
        WHERE (tgrelid, tgname, tgfoid) IN (('wallets.wallets'::pg_catalog.regclass, 'wallets_rules', 'wallets._check_wallet_rules()'::pg_catalog.regprocedure),
                                            ('wallets.bucket_state'::pg_catalog.regclass, 'bucket_state_rules', 'wallets._check_bucket_rules()'::pg_catalog.regprocedure),
                                            ('wallets.holds'::pg_catalog.regclass, 'holds_rules', 'wallets._check_hold_rules()'::pg_catalog.regprocedure))) <> 3
       OR EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conname IN ('wallets_rules', 'bucket_state_rules', 'holds_rules')
                  AND connamespace = 'wallets'::pg_catalog.regnamespace) THEN
        RAISE EXCEPTION 'pgwallets update_rules: the rule triggers of wallets, bucket_state and holds are missing, or their old CHECKs remain';
    END IF;
END
$verify$;
