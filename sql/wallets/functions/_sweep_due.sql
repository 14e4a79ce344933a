-- Before a locked wallet takes a new entry, post its due expirations, so the entry's
-- balance_before is the live balance and the balance chain has no gap. Returns the current row.
-- Idempotent replays are answered before this runs: a replay writes nothing.
CREATE OR REPLACE FUNCTION wallets._sweep_due(wallet wallets.wallets, as_of timestamptz)
RETURNS wallets.wallets
LANGUAGE plpgsql
AS $$
DECLARE
    swept wallets.wallets;
BEGIN
    IF NOT wallets._sweep_is_due(wallet.expiry_floor, as_of) THEN
        RETURN wallet;  -- expiry_floor is a lower bound: nothing can be due
    END IF;
    PERFORM wallets._expire_wallet(wallet.id, as_of);
    SELECT * INTO swept FROM wallets.wallets w WHERE w.id = wallet.id;
    RETURN swept;
END
$$;

COMMENT ON FUNCTION wallets._sweep_due(wallets.wallets, timestamptz) IS 'Internal: post the due expirations of a locked wallet before a write.';
REVOKE ALL ON FUNCTION wallets._sweep_due(wallets.wallets, timestamptz) FROM PUBLIC;
