CREATE TRIGGER hold_allocations_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON wallets.hold_allocations
    FOR EACH STATEMENT EXECUTE FUNCTION wallets._reject_ledger_change();
