-- The current row of a wallet its caller has locked, after posting its due expirations (see
-- _sweep_due): for writes that locked the wallet through a hold or a transaction, and for the
-- second sweep after a hold returns credits to buckets that may be past expiry.
CREATE OR REPLACE FUNCTION wallets._swept_wallet(wallet_id bigint, as_of timestamptz)
RETURNS wallets.wallets
LANGUAGE plpgsql
AS $$
DECLARE
    current wallets.wallets;
BEGIN
    SELECT * INTO current FROM wallets.wallets w WHERE w.id = _swept_wallet.wallet_id;
    RETURN wallets._sweep_due(current, as_of);
END
$$;

COMMENT ON FUNCTION wallets._swept_wallet(bigint, timestamptz) IS 'Internal: read a locked wallet and post its due expirations.';
REVOKE ALL ON FUNCTION wallets._swept_wallet(bigint, timestamptz) FROM PUBLIC;
