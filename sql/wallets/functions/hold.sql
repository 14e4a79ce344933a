CREATE OR REPLACE FUNCTION wallets.hold(wallet_id bigint, amount bigint, expires_at timestamptz DEFAULT NULL,
                                       metadata jsonb DEFAULT '{}', idempotency_key text DEFAULT NULL)
RETURNS wallets.holds
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    as_of timestamptz := wallets.now();
    hold_metadata jsonb := coalesce(hold.metadata, '{}');
    hold_expires_at timestamptz := coalesce(hold.expires_at, as_of + interval '15 minutes');
    wallet wallets.wallets;
    reserved wallets.holds;
    drawn record;
BEGIN
    IF wallets._entry_fault(hold.amount, 'hold', hold_metadata) IS NOT NULL THEN
        PERFORM wallets._raise(wallets._entry_problem(hold.wallet_id, hold.amount, 'hold', hold_metadata));
    END IF;
    wallet := wallets._lock_wallet(hold.wallet_id);

    IF hold.idempotency_key IS NOT NULL THEN
        SELECT * INTO reserved FROM wallets.holds h WHERE h.wallet_id = wallet.id AND h.idempotency_key = hold.idempotency_key;
        -- A replay without expires_at matches whatever default the first call computed.
        IF FOUND AND (reserved.amount, reserved.metadata) IS NOT DISTINCT FROM (hold.amount, hold_metadata)
                 AND (hold.expires_at IS NULL OR reserved.expires_at = hold.expires_at) THEN
            RETURN reserved;
        ELSIF FOUND THEN
            PERFORM wallets._fail('WL006',
                format('idempotency key %L on wallet %s was used by hold %s with other arguments', hold.idempotency_key, wallet.id, reserved.id),
                jsonb_build_object('wallet_id', wallet.id, 'idempotency_key', hold.idempotency_key, 'hold_id', reserved.id));
        END IF;
    END IF;

    IF hold_expires_at <= as_of THEN
        PERFORM wallets._fail('WL005', format('hold on wallet %s expires at %s, not after now (%s)', wallet.id, hold_expires_at, as_of),
                              jsonb_build_object('wallet_id', wallet.id, 'expires_at', hold_expires_at, 'now', as_of));
    END IF;
    IF wallets._sweep_is_due(wallet.expiry_floor, as_of) THEN
        wallet := wallets._sweep_due(wallet, as_of);
    END IF;
    -- A hold reserves existing credits: never into debt, even on an allow_negative wallet.
    IF wallet.ledger_balance - wallet.held < hold.amount THEN
        PERFORM wallets._fail('WL001', format('wallet %s has %s available, cannot hold %s', wallet.id, wallet.ledger_balance - wallet.held, hold.amount),
                              jsonb_build_object('wallet_id', wallet.id, 'requested', hold.amount, 'available', wallet.ledger_balance - wallet.held));
    END IF;

    INSERT INTO wallets.holds (wallet_id, amount, expires_at, metadata, idempotency_key, created_at)
    VALUES (wallet.id, hold.amount, hold_expires_at, hold_metadata, hold.idempotency_key, as_of)
    RETURNING * INTO reserved;
    drawn := wallets._draw_down(wallet, NULL, hold.amount, reserved.id);
    UPDATE wallets.wallets
    SET held = held + hold.amount, expiry_floor = least(expiry_floor, hold_expires_at),
        draw_from_priority = drawn.draw_from_priority, draw_from_expiry = drawn.draw_from_expiry, draw_from_id = drawn.draw_from_id
    WHERE id = wallet.id;
    RETURN reserved;
END
$$;

COMMENT ON FUNCTION wallets.hold(bigint, bigint, timestamptz, jsonb, text) IS
'Reserve credits for work that finishes later: they leave the available balance at once, are taken from buckets in draw-down order and do not expire while held. Capture or release the hold before expires_at (default: 15 minutes); expire_due ends it after. Errors: WL001, WL002, WL003, WL005, WL006, WL012.';
REVOKE ALL ON FUNCTION wallets.hold(bigint, bigint, timestamptz, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.hold(bigint, bigint, timestamptz, jsonb, text) TO wallets_app;
