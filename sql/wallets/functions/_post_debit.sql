-- Posts a debit on a locked, swept wallet whose caller has checked it can take it (see
-- _debit_problem): the entry and its allocations in draw-down order, the uncovered rest becoming
-- debt. A capture (hold_id set) is allocated by _settle_hold against the hold's reserved buckets,
-- which also moves the wallet's balance with its one update of the row.
CREATE OR REPLACE FUNCTION wallets._post_debit(wallet wallets.wallets, amount bigint, category text, metadata jsonb,
                                               created_at timestamptz, idempotency_key text DEFAULT NULL,
                                               transfer_id bigint DEFAULT NULL, hold_id bigint DEFAULT NULL)
RETURNS wallets.transactions
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    entry wallets.transactions;
    drawn record;
BEGIN
    INSERT INTO wallets.transactions (wallet_id, amount, category, balance_before, balance_after,
                                      metadata, idempotency_key, created_at, transfer_id, hold_id)
    VALUES (wallet.id, -_post_debit.amount, _post_debit.category, wallet.ledger_balance, wallet.ledger_balance - _post_debit.amount,
            _post_debit.metadata, _post_debit.idempotency_key, _post_debit.created_at, _post_debit.transfer_id, _post_debit.hold_id)
    RETURNING * INTO entry;

    IF _post_debit.hold_id IS NOT NULL THEN
        RETURN entry;
    END IF;
    drawn := wallets._draw_down(wallet, entry.id, _post_debit.amount);
    IF drawn.uncovered > 0 THEN
        INSERT INTO wallets.debt_state (wallet_id, transaction_id, outstanding) VALUES (wallet.id, entry.id, drawn.uncovered);
    END IF;

    UPDATE wallets.wallets
    SET ledger_balance = entry.balance_after, debt = debt + drawn.uncovered,
        draw_from_priority = drawn.draw_from_priority, draw_from_expiry = drawn.draw_from_expiry, draw_from_id = drawn.draw_from_id
    WHERE id = wallet.id;
    RETURN entry;
END
$$;

COMMENT ON FUNCTION wallets._post_debit(wallets.wallets, bigint, text, jsonb, timestamptz, text, bigint, bigint) IS
'Internal: post a debit (entry, allocations in draw-down order, debt) on a locked, swept wallet.';
REVOKE ALL ON FUNCTION wallets._post_debit(wallets.wallets, bigint, text, jsonb, timestamptz, text, bigint, bigint) FROM PUBLIC;
