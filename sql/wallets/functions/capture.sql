CREATE OR REPLACE FUNCTION wallets.capture(hold_id bigint, amount bigint DEFAULT NULL, category text DEFAULT 'debit',
                                          metadata jsonb DEFAULT '{}')
RETURNS wallets.transactions
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    as_of timestamptz := wallets.now();
    entry_metadata jsonb := coalesce(capture.metadata, '{}');
    locked record := wallets._lock_hold(capture.hold_id, as_of);
    reserved wallets.holds := locked.hold;
    captured bigint := coalesce(capture.amount, reserved.amount);
    wallet wallets.wallets;
    entry wallets.transactions;
BEGIN
    IF wallets._entry_fault(captured, capture.category, entry_metadata) IS NOT NULL THEN
        PERFORM wallets._raise(wallets._entry_problem(reserved.wallet_id, captured, capture.category, entry_metadata));
    END IF;
    IF captured > reserved.amount THEN
        PERFORM wallets._fail('WL003', format('hold %s on wallet %s holds %s, cannot capture %s', reserved.id, reserved.wallet_id, reserved.amount, captured),
                              jsonb_build_object('hold_id', reserved.id, 'wallet_id', reserved.wallet_id, 'held', reserved.amount, 'amount', captured));
    END IF;
    wallet := locked.wallet;
    IF wallets._sweep_is_due(wallet.expiry_floor, as_of) THEN
        wallet := wallets._sweep_due(wallet, as_of);
    END IF;

    -- Held credits cannot have gone anywhere: no balance check.
    entry := wallets._post_debit(wallet, captured, capture.category, entry_metadata, as_of, NULL, NULL, reserved.id);
    PERFORM wallets._settle_hold(reserved, entry.id, captured, 'captured', as_of);
    -- The released rest may return to buckets already past expiry: they expire now.
    IF captured < reserved.amount THEN
        PERFORM wallets._swept_wallet(reserved.wallet_id, as_of);
    END IF;
    RETURN entry;
END
$$;

COMMENT ON FUNCTION wallets.capture(bigint, bigint, text, jsonb) IS
'Settle an active hold: debit amount (NULL: all of it) from the credits it reserved, with hold_id on the transaction, and release the rest. Returns the debit. Errors: WL003, WL011, WL012.';
REVOKE ALL ON FUNCTION wallets.capture(bigint, bigint, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.capture(bigint, bigint, text, jsonb) TO wallets_app;
