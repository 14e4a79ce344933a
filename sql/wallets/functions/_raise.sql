-- Raises a problem built by one of the _*_problem functions; does nothing for NULL. Single calls
-- raise what a batch records per item, from the same checks. A single SQL expression, so callers
-- get it inlined and pay nothing when there is no problem.
CREATE OR REPLACE FUNCTION wallets._raise(problem jsonb)
RETURNS void
LANGUAGE sql
AS $$
    SELECT CASE WHEN problem IS NOT NULL THEN wallets._fail(problem->>'code', problem->>'message', problem->'facts') END
$$;

COMMENT ON FUNCTION wallets._raise(jsonb) IS 'Internal: raise a problem {code, message, facts}, if any.';
REVOKE ALL ON FUNCTION wallets._raise(jsonb) FROM PUBLIC;
