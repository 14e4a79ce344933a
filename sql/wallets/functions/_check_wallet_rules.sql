-- The rules every wallet row obeys on its caches: no negative balance unless allow_negative, debt
-- and held not negative. Run by the trigger wallets_rules (triggers/wallet_rules.sql) after each
-- insert or update of a row. A trigger rather than a CHECK constraint: PostgreSQL parses and plans
-- a table's CHECK expressions again for every statement that writes the table, and every ledger
-- write updates its wallet's row (measured: the CHECK, a function called with the whole row, cost
-- each written row about 7k instructions more than this trigger; a transfer, which writes four
-- rows of these tables, went from 1,196k to 1,168k; issue 4's note, docs/scaling.md). AFTER, not
-- BEFORE: before a BEFORE UPDATE row trigger runs, PostgreSQL locks the old row (a WAL record of
-- its own). An AFTER row trigger runs when its statement ends, before the statement returns, so
-- its error fails the statement as the CHECK's did; it raises what the CHECK raised
-- (_check_violation). A rule that comes out NULL passes, as in a CHECK.
CREATE OR REPLACE FUNCTION wallets._check_wallet_rules()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT ((NEW.allow_negative OR NEW.ledger_balance >= 0)  -- only an allow_negative wallet goes below zero
            AND NEW.debt >= 0
            AND NEW.held >= 0) THEN
        PERFORM wallets._check_violation('wallets', 'wallets_rules',
                                         pg_catalog.format('wallet %s: ledger_balance %s, debt %s, held %s, allow_negative %s', NEW.id,
                                                           NEW.ledger_balance, NEW.debt, NEW.held, NEW.allow_negative));
    END IF;
    RETURN NULL;  -- an AFTER trigger: the row is written already
END
$$;

COMMENT ON FUNCTION wallets._check_wallet_rules() IS
'Internal: trigger holding each written wallet to its rules (no negative balance unless allow_negative, debt and held not negative).';
REVOKE ALL ON FUNCTION wallets._check_wallet_rules() FROM PUBLIC;
