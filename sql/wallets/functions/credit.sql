CREATE OR REPLACE FUNCTION wallets.credit(wallet_id bigint, amount bigint, category text DEFAULT 'credit',
                               expires_at timestamptz DEFAULT NULL, metadata jsonb DEFAULT '{}',
                               idempotency_key text DEFAULT NULL, priority integer DEFAULT 50)
RETURNS wallets.transactions
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    as_of timestamptz := wallets.now();
    entry_metadata jsonb := coalesce(credit.metadata, '{}');
    wallet wallets.wallets;
    entry wallets.transactions;
    repaid bigint := 0;
BEGIN
    PERFORM wallets._validate_entry(credit.wallet_id, credit.amount, credit.category, entry_metadata);
    IF credit.priority IS NULL OR credit.priority NOT BETWEEN 0 AND 100 THEN
        PERFORM wallets._fail('WL012', format('wallet %s: priority must be between 0 and 100, got %s', credit.wallet_id, coalesce(credit.priority::text, 'NULL')),
                              jsonb_build_object('wallet_id', credit.wallet_id, 'argument', 'priority', 'value', credit.priority));
    END IF;

    wallet := wallets._lock_wallet(credit.wallet_id);

    IF credit.idempotency_key IS NOT NULL THEN
        entry := wallets._replay(wallet.id, credit.idempotency_key, credit.amount, credit.category,
                                 credit.expires_at, credit.priority, entry_metadata);
        IF entry.id IS NOT NULL THEN
            RETURN entry;
        END IF;
    END IF;

    wallet := wallets._sweep_due(wallet, as_of);

    IF credit.expires_at <= as_of THEN
        PERFORM wallets._fail('WL005', format('credit to wallet %s expires at %s, not after now (%s)', wallet.id, credit.expires_at, as_of),
                              jsonb_build_object('wallet_id', wallet.id, 'expires_at', credit.expires_at, 'now', as_of));
    END IF;
    IF wallet.ledger_balance > 0 AND credit.amount > 9223372036854775807 - wallet.ledger_balance THEN
        PERFORM wallets._fail('WL003', format('credit of %s would overflow the balance of wallet %s', credit.amount, wallet.id),
                              jsonb_build_object('wallet_id', wallet.id, 'amount', credit.amount, 'balance', wallet.ledger_balance));
    END IF;

    INSERT INTO wallets.transactions (wallet_id, amount, category, expires_at, priority, balance_before, balance_after,
                                      metadata, idempotency_key, created_at)
    VALUES (wallet.id, credit.amount, credit.category, credit.expires_at, credit.priority, wallet.ledger_balance,
            wallet.ledger_balance + credit.amount, entry_metadata, credit.idempotency_key, as_of)
    RETURNING * INTO entry;

    IF wallet.debt > 0 THEN
        repaid := wallets._repay_debt(wallet.id, entry.id, least(wallet.debt, credit.amount));
    END IF;

    INSERT INTO wallets.bucket_state (wallet_id, transaction_id, priority, expires_at, remaining)
    VALUES (wallet.id, entry.id, credit.priority, credit.expires_at, credit.amount - repaid);

    UPDATE wallets.wallets
    SET ledger_balance = entry.balance_after,
        debt = debt - repaid,
        expiry_floor = CASE WHEN credit.amount > repaid THEN least(expiry_floor, credit.expires_at) ELSE expiry_floor END
    WHERE id = wallet.id;
    RETURN entry;
END
$$;

COMMENT ON FUNCTION wallets.credit(bigint, bigint, text, timestamptz, jsonb, text, integer) IS
'Add credits to a wallet as a new bucket, expiring at expires_at (NULL: never) and drawn down by priority (0 first, 100 last). Repays any debt first. Returns the transaction. Errors: WL002, WL003, WL005, WL006, WL012.';
REVOKE ALL ON FUNCTION wallets.credit(bigint, bigint, text, timestamptz, jsonb, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.credit(bigint, bigint, text, timestamptz, jsonb, text, integer) TO wallets_app;
