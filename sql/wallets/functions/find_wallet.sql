CREATE OR REPLACE FUNCTION wallets.find_wallet(owner text, asset text DEFAULT 'credits')
RETURNS wallets.wallets
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM wallets.wallets w WHERE w.owner = find_wallet.owner AND w.asset = lower(btrim(find_wallet.asset, E' \t\r\n'))
$$;

COMMENT ON FUNCTION wallets.find_wallet(text, text) IS 'The wallet of (owner, asset), or NULL. asset is trimmed and lower-cased as in open_wallet.';
REVOKE ALL ON FUNCTION wallets.find_wallet(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.find_wallet(text, text) TO wallets_app;
