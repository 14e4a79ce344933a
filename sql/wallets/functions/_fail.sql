-- Raises a domain error: its own SQLSTATE, a message naming the ids, and DETAIL as JSON
-- carrying the code, its name and the given facts.
CREATE OR REPLACE FUNCTION wallets._fail(code text, message text, facts jsonb DEFAULT '{}')
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = _fail.code,
        MESSAGE = _fail.message,
        DETAIL = wallets._problem_detail(pg_catalog.jsonb_build_object('code', _fail.code, 'facts', _fail.facts))::text;
END
$$;

COMMENT ON FUNCTION wallets._fail(text, text, jsonb) IS 'Internal: raise a WLxxx domain error with a JSON DETAIL.';
REVOKE ALL ON FUNCTION wallets._fail(text, text, jsonb) FROM PUBLIC;
