-- The rules for the columns of a wallet no ledger write changes (owner, asset, metadata), as a
-- trigger rather than CHECK constraints: PostgreSQL evaluates every CHECK of a table, parsing it
-- again per statement, on each UPDATE of a row, and every ledger write updates its wallet's
-- balance; a regular expression and a jsonb_typeof there measured ~8 µs per credit or debit. The
-- trigger fires only when a wallet is inserted or one of these columns is set.
CREATE OR REPLACE FUNCTION wallets._check_wallet_identity()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    broken text := CASE
        WHEN NEW.owner = '' THEN 'wallets_owner_check'
        WHEN NEW.asset !~ '^[a-z][a-z0-9_]{0,63}$' THEN 'wallets_asset_check'
        WHEN pg_catalog.jsonb_typeof(NEW.metadata) <> 'object' THEN 'wallets_metadata_check'
    END;
BEGIN
    IF broken IS NOT NULL THEN
        PERFORM wallets._check_violation('wallets', broken,
                                         pg_catalog.format('owner %L, asset %L, metadata %s', NEW.owner, NEW.asset, NEW.metadata));
    END IF;
    RETURN NULL;  -- an AFTER trigger: the row is written already
END
$$;

COMMENT ON FUNCTION wallets._check_wallet_identity() IS 'Internal: trigger checking owner (non-empty), asset (pattern) and metadata (an object) of a wallet.';
REVOKE ALL ON FUNCTION wallets._check_wallet_identity() FROM PUBLIC;
