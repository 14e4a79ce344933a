-- The rules every transfer obeys: a positive amount between two wallets, a known expiration
-- policy, and an expiry exactly under the fixed policy. Run by the trigger transfers_rules
-- (triggers/transfer_rules.sql) as each transfer is inserted; transfers are never updated
-- (transfers_append_only). A trigger rather than a CHECK for the reason _check_entry_rules.sql
-- gives, raising what the CHECK raised.
CREATE OR REPLACE FUNCTION wallets._check_transfer_rules()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT (NEW.amount > 0
            AND NEW.from_wallet_id <> NEW.to_wallet_id
            AND NEW.expiration_policy IN ('preserve', 'none', 'fixed')
            AND (NEW.expiration_policy = 'fixed') = (NEW.expires_at IS NOT NULL)) THEN  -- only fixed sets the expiry
        PERFORM wallets._check_violation('transfers', 'transfers_rules',
                                         pg_catalog.format('wallet %s to wallet %s: amount %s, expiration_policy %s, expires_at %s',
                                                           NEW.from_wallet_id, NEW.to_wallet_id, NEW.amount, NEW.expiration_policy, NEW.expires_at));
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION wallets._check_transfer_rules() IS
'Internal: trigger holding each new transfer to its rules (positive amount, two wallets, known expiration policy, expiry exactly under fixed).';
REVOKE ALL ON FUNCTION wallets._check_transfer_rules() FROM PUBLIC;
