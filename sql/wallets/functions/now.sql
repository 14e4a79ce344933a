CREATE OR REPLACE FUNCTION wallets.now()
RETURNS timestamptz
LANGUAGE sql
STABLE
AS $$
    SELECT coalesce(nullif(pg_catalog.current_setting('wallets.clock', true), '')::timestamptz,
                    pg_catalog.now())
$$;

COMMENT ON FUNCTION wallets.now() IS
'The ledger clock: the setting wallets.clock when set and non-empty, else now(). Every time-dependent function reads it, so SET wallets.clock = ''2030-01-01Z'' pins time.';
REVOKE ALL ON FUNCTION wallets.now() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.now() TO wallets_reader;
