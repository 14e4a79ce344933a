-- Checks owner, asset and metadata where they are written, not at every balance update: see
-- sql/wallets/functions/_check_wallet_identity.sql. AFTER, not BEFORE: PostgreSQL locks the old
-- row (a WAL record of its own) before it looks whether a BEFORE UPDATE OF trigger concerns the
-- columns set, so a BEFORE trigger cost every balance update a row lock; an AFTER trigger only
-- reads the old row, and its error undoes the statement all the same.
CREATE TRIGGER wallets_identity
    AFTER INSERT OR UPDATE OF owner, asset, metadata ON wallets.wallets
    FOR EACH ROW EXECUTE FUNCTION wallets._check_wallet_identity();
