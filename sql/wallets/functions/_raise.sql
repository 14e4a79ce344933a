-- Raises a problem built by one of the _*_problem functions; does nothing for NULL. Single calls
-- raise what a batch records per item, from the same checks. PL/pgSQL rather than SQL: the
-- planner does not inline a SQL function whose argument it would evaluate four times, and a SQL
-- function that is not inlined is parsed and planned again at every call from a PERFORM (the
-- profile of a debit showed that as ~30 % of its time).
CREATE OR REPLACE FUNCTION wallets._raise(problem jsonb)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF problem IS NOT NULL THEN
        PERFORM wallets._fail(problem->>'code', problem->>'message', problem->'facts');
    END IF;
END
$$;

COMMENT ON FUNCTION wallets._raise(jsonb) IS 'Internal: raise a problem {code, message, facts}, if any.';
REVOKE ALL ON FUNCTION wallets._raise(jsonb) FROM PUBLIC;
