-- A new credit first repays the wallet's outstanding debts, oldest debit first, recorded as
-- allocations of those debits against the new credit. Returns the amount repaid.
CREATE OR REPLACE FUNCTION wallets._repay_debt(wallet_id bigint, credit_id bigint, amount bigint)
RETURNS bigint
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    unpaid bigint := _repay_debt.amount;
    owed record;
    take bigint;
BEGIN
    FOR owed IN
        SELECT d.transaction_id, d.outstanding
        FROM wallets.debt_state d
        WHERE d.wallet_id = _repay_debt.wallet_id AND d.outstanding > 0
        ORDER BY d.transaction_id
    LOOP
        take := least(owed.outstanding, unpaid);
        UPDATE wallets.debt_state
        SET outstanding = outstanding - take
        WHERE wallet_id = _repay_debt.wallet_id AND transaction_id = owed.transaction_id;
        INSERT INTO wallets.allocations (wallet_id, transaction_id, source_transaction_id, amount)
        VALUES (_repay_debt.wallet_id, owed.transaction_id, _repay_debt.credit_id, take);
        unpaid := unpaid - take;
        EXIT WHEN unpaid = 0;
    END LOOP;
    RETURN _repay_debt.amount - unpaid;
END
$$;

COMMENT ON FUNCTION wallets._repay_debt(bigint, bigint, bigint) IS 'Internal: repay outstanding debts from a new credit, oldest first.';
REVOKE ALL ON FUNCTION wallets._repay_debt(bigint, bigint, bigint) FROM PUBLIC;
