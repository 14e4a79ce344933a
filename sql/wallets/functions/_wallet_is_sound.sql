-- The rules every wallet row obeys, the body of the table's one CHECK constraint
-- (constraints/wallets_rules.sql), for the reasons given in _entry_is_sound.sql: every ledger
-- write updates its wallet's row. IMMUTABLE: it reads nothing but its argument.
CREATE OR REPLACE FUNCTION wallets._wallet_is_sound(wallet wallets.wallets)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    RETURN (wallet.allow_negative OR wallet.ledger_balance >= 0)  -- only an allow_negative wallet goes below zero
       AND wallet.debt >= 0
       AND wallet.held >= 0;
END
$$;

COMMENT ON FUNCTION wallets._wallet_is_sound(wallets.wallets) IS
'Internal: the CHECK rule of wallets.wallets (no negative balance unless allow_negative, debt and held not negative).';
REVOKE ALL ON FUNCTION wallets._wallet_is_sound(wallets.wallets) FROM PUBLIC;
