-- Holds each new ledger entry to its rules (_check_entry_rules.sql says why a trigger). Entries
-- are only ever inserted: transactions_append_only refuses updates.
CREATE TRIGGER transactions_entry_rules
    BEFORE INSERT ON wallets.transactions
    FOR EACH ROW EXECUTE FUNCTION wallets._check_entry_rules();
