CREATE OR REPLACE FUNCTION wallets._reject_ledger_change()
RETURNS trigger
LANGUAGE plpgsql
-- Runs as the owner so any role, whatever its grants, gets WL010 rather than a permission error.
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM wallets._fail('WL010', format('%s on wallets.%s is not allowed: the ledger is append-only; post a correcting entry instead', TG_OP, TG_TABLE_NAME),
                          jsonb_build_object('table', TG_TABLE_NAME, 'operation', TG_OP));
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION wallets._reject_ledger_change() IS 'Internal: trigger keeping the ledger tables append-only, for every role.';
REVOKE ALL ON FUNCTION wallets._reject_ledger_change() FROM PUBLIC;
