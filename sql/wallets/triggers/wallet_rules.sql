-- Holds every written wallet row to its rules on the caches (_check_wallet_rules.sql says why a
-- trigger, and why AFTER).
CREATE TRIGGER wallets_rules
    AFTER INSERT OR UPDATE ON wallets.wallets
    FOR EACH ROW EXECUTE FUNCTION wallets._check_wallet_rules();
