-- Statement-level, so even an UPDATE or DELETE matching no row fails, and TRUNCATE is covered.
CREATE TRIGGER transactions_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON wallets.transactions
    FOR EACH STATEMENT EXECUTE FUNCTION wallets._reject_ledger_change();

CREATE TRIGGER allocations_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON wallets.allocations
    FOR EACH STATEMENT EXECUTE FUNCTION wallets._reject_ledger_change();
