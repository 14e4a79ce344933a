-- Posts a credit on a locked, swept wallet: the entry, a new bucket, and the repayment of any
-- debt first. Shared by credit, the inbound legs of a transfer, expiry changes and reversals.
CREATE OR REPLACE FUNCTION wallets._post_credit(wallet wallets.wallets, amount bigint, category text, expires_at timestamptz,
                                                priority integer, metadata jsonb, created_at timestamptz,
                                                idempotency_key text DEFAULT NULL, transfer_id bigint DEFAULT NULL,
                                                reversal_of bigint DEFAULT NULL)
RETURNS wallets.transactions
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    entry wallets.transactions;
    repaid bigint := 0;
    opens_before_draw_from boolean;
BEGIN
    IF wallet.ledger_balance > 0 AND _post_credit.amount > 9223372036854775807 - wallet.ledger_balance THEN
        PERFORM wallets._fail('WL003', format('credit of %s would overflow the balance of wallet %s', _post_credit.amount, wallet.id),
                              jsonb_build_object('wallet_id', wallet.id, 'amount', _post_credit.amount, 'balance', wallet.ledger_balance));
    END IF;

    INSERT INTO wallets.transactions (wallet_id, amount, category, expires_at, priority, balance_before, balance_after,
                                      metadata, idempotency_key, created_at, transfer_id, reversal_of)
    VALUES (wallet.id, _post_credit.amount, _post_credit.category, _post_credit.expires_at, _post_credit.priority,
            wallet.ledger_balance, wallet.ledger_balance + _post_credit.amount, _post_credit.metadata,
            _post_credit.idempotency_key, _post_credit.created_at, _post_credit.transfer_id, _post_credit.reversal_of)
    RETURNING * INTO entry;

    IF wallet.debt > 0 THEN
        repaid := wallets._repay_debt(wallet.id, entry.id, least(wallet.debt, _post_credit.amount));
    END IF;

    INSERT INTO wallets.bucket_state (wallet_id, transaction_id, priority, expires_at, remaining, open)
    VALUES (wallet.id, entry.id, _post_credit.priority, _post_credit.expires_at, _post_credit.amount - repaid, _post_credit.amount > repaid);
    -- A bucket opened before where the next draw-down would start moves that start back to it.
    opens_before_draw_from := _post_credit.amount > repaid
        AND wallets._sorts_before(_post_credit.priority, _post_credit.expires_at, entry.id,
                                  wallet.draw_from_priority, wallet.draw_from_expiry, wallet.draw_from_id);

    UPDATE wallets.wallets
    SET ledger_balance = entry.balance_after,
        debt = debt - repaid,
        expiry_floor = CASE WHEN _post_credit.amount > repaid THEN least(expiry_floor, _post_credit.expires_at) ELSE expiry_floor END,
        draw_from_priority = CASE WHEN opens_before_draw_from THEN _post_credit.priority ELSE draw_from_priority END,
        draw_from_expiry = CASE WHEN opens_before_draw_from THEN _post_credit.expires_at ELSE draw_from_expiry END,
        draw_from_id = CASE WHEN opens_before_draw_from THEN entry.id ELSE draw_from_id END
    WHERE id = wallet.id;
    RETURN entry;
END
$$;

COMMENT ON FUNCTION wallets._post_credit(wallets.wallets, bigint, text, timestamptz, integer, jsonb, timestamptz, text, bigint, bigint) IS
'Internal: post a credit (entry, bucket, debt repayment) on a locked, swept wallet.';
REVOKE ALL ON FUNCTION wallets._post_credit(wallets.wallets, bigint, text, timestamptz, integer, jsonb, timestamptz, text, bigint, bigint) FROM PUBLIC;
