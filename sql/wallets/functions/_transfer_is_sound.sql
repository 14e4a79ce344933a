-- The rules every transfer obeys, the body of the table's one CHECK constraint
-- (constraints/transfers_rules.sql), for the reasons given in _entry_is_sound.sql.
-- IMMUTABLE: it reads nothing but its argument.
CREATE OR REPLACE FUNCTION wallets._transfer_is_sound(transfer wallets.transfers)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    RETURN transfer.amount > 0
       AND transfer.from_wallet_id <> transfer.to_wallet_id
       AND transfer.expiration_policy IN ('preserve', 'none', 'fixed')
       AND (transfer.expiration_policy = 'fixed') = (transfer.expires_at IS NOT NULL);  -- only fixed sets the expiry
END
$$;

COMMENT ON FUNCTION wallets._transfer_is_sound(wallets.transfers) IS
'Internal: the CHECK rule of wallets.transfers (positive amount, two distinct wallets, known policy, expires_at exactly under fixed).';
REVOKE ALL ON FUNCTION wallets._transfer_is_sound(wallets.transfers) FROM PUBLIC;
