CREATE OR REPLACE FUNCTION wallets.release(hold_id bigint)
RETURNS wallets.holds
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    as_of timestamptz := wallets.now();
    locked record := wallets._lock_hold(release.hold_id, as_of);
    reserved wallets.holds := locked.hold;
BEGIN
    IF wallets._sweep_is_due((locked.wallet).expiry_floor, as_of) THEN
        PERFORM wallets._sweep_due(locked.wallet, as_of);
    END IF;
    PERFORM wallets._settle_hold(reserved, NULL, 0, 'released', as_of);
    -- Credits returned to buckets already past expiry expire now.
    PERFORM wallets._swept_wallet(reserved.wallet_id, as_of);
    SELECT * INTO reserved FROM wallets.holds h WHERE h.wallet_id = reserved.wallet_id AND h.id = reserved.id;
    RETURN reserved;
END
$$;

COMMENT ON FUNCTION wallets.release(bigint) IS
'Cancel an active hold: its credits return to their buckets (and expire at once if their bucket has). Returns the hold. Errors: WL011, WL012.';
REVOKE ALL ON FUNCTION wallets.release(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.release(bigint) TO wallets_app;
