-- The rules every wallet row obeys, the body of the table's one CHECK constraint
-- (constraints/wallets_rules.sql). PostgreSQL parses a table's CHECK expressions again for every
-- statement that writes it: separate constraints cost each ledger write ~8 µs of parsing, one
-- call of a PL/pgSQL function (compiled once per session) ~4 µs, and the call takes the whole
-- row, one column reference to parse where there were up to five (callgrind: 51k of a transfer's
-- 1.33M instructions across its tables). The tables that are only inserted into check their
-- rules with a BEFORE INSERT trigger instead, cheaper still (_check_entry_rules.sql); every
-- ledger write updates its wallet's row, and a BEFORE UPDATE trigger would lock the row first.
-- IMMUTABLE: it reads nothing but its argument.
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
