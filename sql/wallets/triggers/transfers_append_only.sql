CREATE TRIGGER transfers_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON wallets.transfers
    FOR EACH STATEMENT EXECUTE FUNCTION wallets._reject_ledger_change();
