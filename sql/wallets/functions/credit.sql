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
BEGIN
    IF wallets._entry_fault(credit.amount, credit.category, entry_metadata) IS NOT NULL THEN
        PERFORM wallets._raise(wallets._entry_problem(credit.wallet_id, credit.amount, credit.category, entry_metadata));
    END IF;
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

    IF wallets._sweep_is_due(wallet.expiry_floor, as_of) THEN
        wallet := wallets._sweep_due(wallet, as_of);
    END IF;

    IF credit.expires_at <= as_of THEN
        PERFORM wallets._fail('WL005', format('credit to wallet %s expires at %s, not after now (%s)', wallet.id, credit.expires_at, as_of),
                              jsonb_build_object('wallet_id', wallet.id, 'expires_at', credit.expires_at, 'now', as_of));
    END IF;
    RETURN wallets._post_credit(wallet, credit.amount, credit.category, credit.expires_at, credit.priority,
                                entry_metadata, as_of, credit.idempotency_key);
END
$$;

COMMENT ON FUNCTION wallets.credit(bigint, bigint, text, timestamptz, jsonb, text, integer) IS
'Add credits to a wallet as a new bucket, expiring at expires_at (NULL: never) and drawn down by priority (0 first, 100 last). Repays any debt first. Returns the transaction. Errors: WL002, WL003, WL005, WL006, WL012.';
REVOKE ALL ON FUNCTION wallets.credit(bigint, bigint, text, timestamptz, jsonb, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.credit(bigint, bigint, text, timestamptz, jsonb, text, integer) TO wallets_app;
