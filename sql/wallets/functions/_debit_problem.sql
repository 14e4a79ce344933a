-- Whether a locked, swept wallet can take a debit: credits reserved by holds are not available,
-- and only an allow_negative wallet may go below (without overflowing bigint).
CREATE OR REPLACE FUNCTION wallets._debit_problem(wallet_id bigint, ledger_balance bigint, held bigint, allow_negative boolean, amount bigint)
RETURNS jsonb
LANGUAGE sql
STABLE
AS $$
    SELECT CASE
        WHEN NOT allow_negative AND ledger_balance - held < amount THEN
            pg_catalog.jsonb_build_object('code', 'WL001',
                'message', pg_catalog.format('wallet %s has %s available, cannot debit %s', wallet_id, ledger_balance - held, amount),
                'facts', pg_catalog.jsonb_build_object('wallet_id', wallet_id, 'requested', amount, 'available', ledger_balance - held))
        WHEN ledger_balance < 0 AND amount > ledger_balance + 9223372036854775807 THEN
            pg_catalog.jsonb_build_object('code', 'WL003',
                'message', pg_catalog.format('debit of %s would overflow the balance of wallet %s', amount, wallet_id),
                'facts', pg_catalog.jsonb_build_object('wallet_id', wallet_id, 'amount', amount, 'balance', ledger_balance))
    END
$$;

COMMENT ON FUNCTION wallets._debit_problem(bigint, bigint, bigint, boolean, bigint) IS 'Internal: WL001 or WL003 when a wallet cannot take a debit, else NULL.';
REVOKE ALL ON FUNCTION wallets._debit_problem(bigint, bigint, bigint, boolean, bigint) FROM PUBLIC;
