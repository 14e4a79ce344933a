CREATE OR REPLACE FUNCTION wallets.open_wallet(owner text, asset text DEFAULT 'credits', allow_negative boolean DEFAULT false,
                                   metadata jsonb DEFAULT '{}')
RETURNS wallets.wallets
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    asset_code text := lower(btrim(open_wallet.asset, E' \t\r\n'));
    wallet wallets.wallets;
BEGIN
    IF open_wallet.owner IS NULL OR btrim(open_wallet.owner, E' \t\r\n') = '' THEN
        PERFORM wallets._fail('WL012', 'owner must be a non-empty text', jsonb_build_object('argument', 'owner', 'value', open_wallet.owner));
    END IF;
    IF asset_code IS NULL OR asset_code !~ '^[a-z][a-z0-9_]{0,63}$' THEN
        PERFORM wallets._fail('WL012', format('asset %L must match ^[a-z][a-z0-9_]{0,63}$ once trimmed and lower-cased', open_wallet.asset),
                              jsonb_build_object('argument', 'asset', 'value', open_wallet.asset));
    END IF;
    IF open_wallet.metadata IS NOT NULL AND jsonb_typeof(open_wallet.metadata) <> 'object' THEN
        PERFORM wallets._fail('WL012', 'metadata must be a JSON object', jsonb_build_object('argument', 'metadata', 'value', open_wallet.metadata));
    END IF;

    SELECT * INTO wallet FROM wallets.wallets w WHERE w.owner = open_wallet.owner AND w.asset = asset_code;
    IF FOUND THEN
        RETURN wallet;
    END IF;
    -- Two sessions may create the same wallet at once: the loser's insert does nothing and,
    -- in a fresh statement snapshot, reads the winner's row.
    INSERT INTO wallets.wallets (owner, asset, allow_negative, metadata, created_at)
    VALUES (open_wallet.owner, asset_code, coalesce(open_wallet.allow_negative, false),
            coalesce(open_wallet.metadata, '{}'), wallets.now())
    ON CONFLICT (owner, asset) DO NOTHING
    RETURNING * INTO wallet;
    IF wallet.id IS NULL THEN
        SELECT * INTO wallet FROM wallets.wallets w WHERE w.owner = open_wallet.owner AND w.asset = asset_code;
    END IF;
    RETURN wallet;
END
$$;

COMMENT ON FUNCTION wallets.open_wallet(text, text, boolean, jsonb) IS
'Get or create the wallet of (owner, asset). asset is trimmed and lower-cased. An existing wallet is returned unchanged (allow_negative and metadata apply only on creation). Safe under concurrency.';
REVOKE ALL ON FUNCTION wallets.open_wallet(text, text, boolean, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.open_wallet(text, text, boolean, jsonb) TO wallets_app;
