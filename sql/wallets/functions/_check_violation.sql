-- Raises what PostgreSQL raises for a CHECK constraint a new row breaks (SQLSTATE 23514, the
-- same message, the schema, table and constraint fields), for the triggers that hold a table's
-- rules instead of a CHECK (_check_entry_rules.sql says why): callers see one error either way.
CREATE OR REPLACE FUNCTION wallets._check_violation(table_name text, rule text, detail text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'new row for relation "%" violates check constraint "%"', table_name, rule
        USING ERRCODE = 'check_violation', SCHEMA = 'wallets', TABLE = table_name, CONSTRAINT = rule, DETAIL = detail;
END
$$;

COMMENT ON FUNCTION wallets._check_violation(text, text, text) IS
'Internal: raise the check_violation a CHECK constraint named rule on table_name would raise, with detail.';
REVOKE ALL ON FUNCTION wallets._check_violation(text, text, text) FROM PUBLIC;
