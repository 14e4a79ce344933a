-- Every write starts here: lock the wallet row (writers of one wallet serialize on it; callers
-- that lock several wallets do so in ascending id order), then post its due expirations so the
-- new entry's balance_before is the live balance. Returns the locked, swept row.
CREATE FUNCTION wallets._lock_wallet(wallet_id bigint, as_of timestamptz)
RETURNS wallets.wallets
LANGUAGE plpgsql
AS $$
DECLARE
    locked wallets.wallets;
BEGIN
    SELECT * INTO locked FROM wallets.wallets w WHERE w.id = _lock_wallet.wallet_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM wallets._fail('WL002', pg_catalog.format('wallet %s does not exist', coalesce(_lock_wallet.wallet_id::text, 'NULL')),
                              pg_catalog.jsonb_build_object('wallet_id', _lock_wallet.wallet_id));
    END IF;
    IF locked.expiry_floor <= as_of THEN
        PERFORM wallets._expire_wallet(locked.id, as_of);
        SELECT * INTO locked FROM wallets.wallets w WHERE w.id = locked.id;
    END IF;
    RETURN locked;
END
$$;

COMMENT ON FUNCTION wallets._lock_wallet(bigint, timestamptz) IS 'Internal: lock a wallet for a write and sweep its due expirations.';
