-- The rules every transfer obeys, as one function for the table's one CHECK constraint, for the
-- reason given in _entry_is_sound.sql. IMMUTABLE: it reads nothing but its arguments.
CREATE OR REPLACE FUNCTION wallets._transfer_is_sound(from_wallet_id bigint, to_wallet_id bigint, amount bigint,
                                                      expiration_policy text, expires_at timestamptz)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    RETURN amount > 0
       AND from_wallet_id <> to_wallet_id
       AND expiration_policy IN ('preserve', 'none', 'fixed')
       AND (expiration_policy = 'fixed') = (expires_at IS NOT NULL);  -- only fixed sets the expiry
END
$$;

COMMENT ON FUNCTION wallets._transfer_is_sound(bigint, bigint, bigint, text, timestamptz) IS
'Internal: the CHECK rule of wallets.transfers (positive amount, two distinct wallets, known policy, expires_at exactly under fixed).';
REVOKE ALL ON FUNCTION wallets._transfer_is_sound(bigint, bigint, bigint, text, timestamptz) FROM PUBLIC;
