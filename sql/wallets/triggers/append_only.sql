CREATE FUNCTION wallets._reject_ledger_change()
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

-- Statement-level, so even an UPDATE or DELETE matching no row fails, and TRUNCATE is covered.
CREATE TRIGGER transactions_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON wallets.transactions
    FOR EACH STATEMENT EXECUTE FUNCTION wallets._reject_ledger_change();

CREATE TRIGGER allocations_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON wallets.allocations
    FOR EACH STATEMENT EXECUTE FUNCTION wallets._reject_ledger_change();
