-- Checks owner, asset and metadata where they are written, not at every balance update: see
-- sql/wallets/functions/_check_wallet_identity.sql.
CREATE TRIGGER wallets_identity
    BEFORE INSERT OR UPDATE OF owner, asset, metadata ON wallets.wallets
    FOR EACH ROW EXECUTE FUNCTION wallets._check_wallet_identity();
