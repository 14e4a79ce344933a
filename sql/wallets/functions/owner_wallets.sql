CREATE OR REPLACE FUNCTION wallets.owner_wallets(owner text)
RETURNS SETOF wallets.wallets
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM wallets.wallets w WHERE w.owner = owner_wallets.owner ORDER BY w.asset
$$;

COMMENT ON FUNCTION wallets.owner_wallets(text) IS 'Every wallet of an owner, one per asset, ordered by asset.';
REVOKE ALL ON FUNCTION wallets.owner_wallets(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.owner_wallets(text) TO wallets_app;
