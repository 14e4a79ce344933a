-- Which rule a debit of a locked, swept wallet would break: 'insufficient' (credits reserved by
-- holds are not available, and only an allow_negative wallet may go below) or 'overflow' (below
-- the smallest bigint); NULL when it breaks none. _debit_problem words them; kept apart for the
-- reason given in _entry_fault.sql.
CREATE OR REPLACE FUNCTION wallets._debit_fault(ledger_balance bigint, held bigint, allow_negative boolean, amount bigint)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE
        WHEN NOT allow_negative AND ledger_balance - held < amount THEN 'insufficient'
        WHEN ledger_balance < 0 AND amount > ledger_balance + 9223372036854775807 THEN 'overflow'
    END
$$;

COMMENT ON FUNCTION wallets._debit_fault(bigint, bigint, boolean, bigint) IS 'Internal: the rule a debit of a wallet would break (insufficient, overflow), or NULL.';
REVOKE ALL ON FUNCTION wallets._debit_fault(bigint, bigint, boolean, bigint) FROM PUBLIC;
