-- The DETAIL a problem raises with (see _fail): its code, the code's name and its facts.
CREATE OR REPLACE FUNCTION wallets._problem_detail(problem jsonb)
RETURNS jsonb
LANGUAGE sql
STABLE
AS $$
    SELECT pg_catalog.jsonb_build_object('code', problem->>'code',
               'error', (SELECT e.name FROM wallets.error_codes e WHERE e.code = problem->>'code'))
           || coalesce(problem->'facts', '{}')
$$;

COMMENT ON FUNCTION wallets._problem_detail(jsonb) IS 'Internal: the JSON DETAIL of a problem.';
REVOKE ALL ON FUNCTION wallets._problem_detail(jsonb) FROM PUBLIC;
