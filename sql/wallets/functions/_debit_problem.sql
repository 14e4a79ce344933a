-- Why a locked, swept wallet cannot take a debit, as a problem {code, message, facts}, or NULL:
-- the rule _debit_fault finds broken, in words.
CREATE OR REPLACE FUNCTION wallets._debit_problem(wallet_id bigint, ledger_balance bigint, held bigint, allow_negative boolean, amount bigint)
RETURNS jsonb
LANGUAGE sql
STABLE
AS $$
    SELECT CASE wallets._debit_fault(ledger_balance, held, allow_negative, amount)
        WHEN 'insufficient' THEN
            pg_catalog.jsonb_build_object('code', 'WL001',
                'message', pg_catalog.format('wallet %s has %s available, cannot debit %s', wallet_id, ledger_balance - held, amount),
                'facts', pg_catalog.jsonb_build_object('wallet_id', wallet_id, 'requested', amount, 'available', ledger_balance - held))
        WHEN 'overflow' THEN
            pg_catalog.jsonb_build_object('code', 'WL003',
                'message', pg_catalog.format('debit of %s would overflow the balance of wallet %s', amount, wallet_id),
                'facts', pg_catalog.jsonb_build_object('wallet_id', wallet_id, 'amount', amount, 'balance', ledger_balance))
    END
$$;

COMMENT ON FUNCTION wallets._debit_problem(bigint, bigint, bigint, boolean, bigint) IS 'Internal: WL001 or WL003 when a wallet cannot take a debit, else NULL.';
REVOKE ALL ON FUNCTION wallets._debit_problem(bigint, bigint, bigint, boolean, bigint) FROM PUBLIC;
