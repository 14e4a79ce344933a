-- Holds every written hold to its rules (_check_hold_rules.sql).
CREATE TRIGGER holds_rules
    AFTER INSERT OR UPDATE ON wallets.holds
    FOR EACH ROW EXECUTE FUNCTION wallets._check_hold_rules();
