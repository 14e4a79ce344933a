-- The rules every wallet row obeys, as one function for the table's one CHECK constraint, for the
-- reason given in _entry_is_sound.sql: every ledger write updates its wallet's row, and three
-- separate CHECKs cost each such update more parsing than one call of this (callgrind: 2 % of a
-- credit's or a transfer's instructions). IMMUTABLE: it reads nothing but its arguments.
CREATE OR REPLACE FUNCTION wallets._wallet_is_sound(allow_negative boolean, ledger_balance bigint, debt bigint, held bigint)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    RETURN (allow_negative OR ledger_balance >= 0)  -- only an allow_negative wallet goes below zero
       AND debt >= 0
       AND held >= 0;
END
$$;

COMMENT ON FUNCTION wallets._wallet_is_sound(boolean, bigint, bigint, bigint) IS
'Internal: the CHECK rule of wallets.wallets (no negative balance unless allow_negative, debt and held not negative).';
REVOKE ALL ON FUNCTION wallets._wallet_is_sound(boolean, bigint, bigint, bigint) FROM PUBLIC;
