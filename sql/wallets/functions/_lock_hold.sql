-- Locks the wallet of a hold and returns the hold, which must still be active and unexpired.
CREATE OR REPLACE FUNCTION wallets._lock_hold(hold_id bigint, as_of timestamptz)
RETURNS wallets.holds
LANGUAGE plpgsql
AS $$
DECLARE
    found_wallet_id bigint;
    locked wallets.holds;
BEGIN
    SELECT h.wallet_id INTO found_wallet_id FROM wallets.holds h WHERE h.id = _lock_hold.hold_id;
    IF NOT FOUND THEN
        PERFORM wallets._fail('WL012', format('hold %s does not exist', coalesce(_lock_hold.hold_id::text, 'NULL')),
                              jsonb_build_object('argument', 'hold_id', 'value', _lock_hold.hold_id));
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(wallets._lock_key(found_wallet_id));  -- it exists: it has a hold
    SELECT * INTO locked FROM wallets.holds h WHERE h.wallet_id = found_wallet_id AND h.id = _lock_hold.hold_id;
    IF locked.status <> 'active' OR locked.expires_at <= as_of THEN
        PERFORM wallets._fail('WL011', format('hold %s on wallet %s is %s', locked.id, locked.wallet_id,
                                              CASE WHEN locked.status = 'active' THEN 'expired' ELSE locked.status END),
                              jsonb_build_object('hold_id', locked.id, 'wallet_id', locked.wallet_id,
                                                 'status', CASE WHEN locked.status = 'active' THEN 'expired' ELSE locked.status END,
                                                 'expires_at', locked.expires_at));
    END IF;
    RETURN locked;
END
$$;

COMMENT ON FUNCTION wallets._lock_hold(bigint, timestamptz) IS 'Internal: lock the wallet of an active hold and return the hold.';
REVOKE ALL ON FUNCTION wallets._lock_hold(bigint, timestamptz) FROM PUBLIC;
