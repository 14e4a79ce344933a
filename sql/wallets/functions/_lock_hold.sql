-- Locks the wallet of a hold and returns the hold, which must still be active and unexpired,
-- with the wallet's current row: both read by one statement after the lock (capture and release
-- need both, and a statement is most of what a read costs).
CREATE OR REPLACE FUNCTION wallets._lock_hold(hold_id bigint, as_of timestamptz,
                                              OUT hold wallets.holds, OUT wallet wallets.wallets)
LANGUAGE plpgsql
AS $$
DECLARE
    found_wallet_id bigint;
    current record;
BEGIN
    SELECT h.wallet_id INTO found_wallet_id FROM wallets.holds h WHERE h.id = _lock_hold.hold_id;
    IF NOT FOUND THEN
        PERFORM wallets._fail('WL012', format('hold %s does not exist', coalesce(_lock_hold.hold_id::text, 'NULL')),
                              jsonb_build_object('argument', 'hold_id', 'value', _lock_hold.hold_id));
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(wallets._lock_key(found_wallet_id));  -- it exists: it has a hold
    -- A new statement, so under READ COMMITTED it sees what the previous lock holder committed.
    SELECT h AS hold, w AS wallet INTO current
    FROM wallets.holds h JOIN wallets.wallets w ON w.id = h.wallet_id
    WHERE h.wallet_id = found_wallet_id AND h.id = _lock_hold.hold_id;
    hold := current.hold;
    wallet := current.wallet;
    IF hold.status <> 'active' OR hold.expires_at <= as_of THEN
        PERFORM wallets._fail('WL011', format('hold %s on wallet %s is %s', hold.id, hold.wallet_id,
                                              CASE WHEN hold.status = 'active' THEN 'expired' ELSE hold.status END),
                              jsonb_build_object('hold_id', hold.id, 'wallet_id', hold.wallet_id,
                                                 'status', CASE WHEN hold.status = 'active' THEN 'expired' ELSE hold.status END,
                                                 'expires_at', hold.expires_at));
    END IF;
END
$$;

COMMENT ON FUNCTION wallets._lock_hold(bigint, timestamptz) IS 'Internal: lock the wallet of an active hold; return the hold and the wallet''s current row.';
REVOKE ALL ON FUNCTION wallets._lock_hold(bigint, timestamptz) FROM PUBLIC;
