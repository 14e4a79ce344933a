-- Holds each new transfer to its rules (_check_transfer_rules.sql). Transfers are only ever
-- inserted: transfers_append_only refuses updates.
CREATE TRIGGER transfers_rules
    BEFORE INSERT ON wallets.transfers
    FOR EACH ROW EXECUTE FUNCTION wallets._check_transfer_rules();
