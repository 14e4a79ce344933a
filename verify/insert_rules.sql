-- Verify pgwallets:insert_rules on pg
DO $verify$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_trigger WHERE tgrelid = 'wallets.transactions'::pg_catalog.regclass
                   AND tgname = 'transactions_entry_rules' AND tgfoid = 'wallets._check_entry_rules()'::pg_catalog.regprocedure)
       OR NOT EXISTS (SELECT FROM pg_catalog.pg_trigger WHERE tgrelid = 'wallets.transfers'::pg_catalog.regclass
                      AND tgname = 'transfers_rules' AND tgfoid = 'wallets._check_transfer_rules()'::pg_catalog.regprocedure)
       OR EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conname IN ('transactions_entry_rules', 'transfers_rules')
                  AND connamespace = 'wallets'::pg_catalog.regnamespace) THEN
        RAISE EXCEPTION 'pgwallets insert_rules: the rule triggers of transactions and transfers are missing, or their old CHECKs remain';
    END IF;
END
$verify$;
