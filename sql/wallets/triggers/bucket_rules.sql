-- Holds every written bucket to its rules (_check_bucket_rules.sql).
CREATE TRIGGER bucket_state_rules
    AFTER INSERT OR UPDATE ON wallets.bucket_state
    FOR EACH ROW EXECUTE FUNCTION wallets._check_bucket_rules();
