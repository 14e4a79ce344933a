CREATE OR REPLACE FUNCTION wallets.debit(wallet_id bigint, amount bigint, category text DEFAULT 'debit',
                              metadata jsonb DEFAULT '{}', idempotency_key text DEFAULT NULL)
RETURNS wallets.transactions
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    as_of timestamptz := wallets.now();
    entry_metadata jsonb := coalesce(debit.metadata, '{}');
    wallet wallets.wallets;
    entry wallets.transactions;
BEGIN
    IF wallets._entry_fault(debit.amount, debit.category, entry_metadata) IS NOT NULL THEN
        PERFORM wallets._raise(wallets._entry_problem(debit.wallet_id, debit.amount, debit.category, entry_metadata));
    END IF;

    wallet := wallets._lock_wallet(debit.wallet_id);

    IF debit.idempotency_key IS NOT NULL THEN
        entry := wallets._replay(wallet.id, debit.idempotency_key, -debit.amount, debit.category, NULL, NULL, entry_metadata);
        IF entry.id IS NOT NULL THEN
            RETURN entry;
        END IF;
    END IF;

    IF wallets._sweep_is_due(wallet.expiry_floor, as_of) THEN
        wallet := wallets._sweep_due(wallet, as_of);
    END IF;

    IF wallets._debit_fault(wallet.ledger_balance, wallet.held, wallet.allow_negative, debit.amount) IS NOT NULL THEN
        PERFORM wallets._raise(wallets._debit_problem(wallet.id, wallet.ledger_balance, wallet.held, wallet.allow_negative, debit.amount));
    END IF;
    RETURN wallets._post_debit(wallet, debit.amount, debit.category, entry_metadata, as_of, debit.idempotency_key);
END
$$;

COMMENT ON FUNCTION wallets.debit(bigint, bigint, text, jsonb, text) IS
'Spend credits: one negative transaction allocated across live buckets by priority, then earliest expiry, then age. On an allow_negative wallet the uncovered part becomes debt. Returns the transaction. Errors: WL001, WL002, WL003, WL006, WL012.';
REVOKE ALL ON FUNCTION wallets.debit(bigint, bigint, text, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.debit(bigint, bigint, text, jsonb, text) TO wallets_app;
