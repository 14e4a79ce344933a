CREATE OR REPLACE FUNCTION wallets._no_wallet(wallet_id bigint)
RETURNS jsonb
LANGUAGE sql
STABLE
AS $$
    SELECT pg_catalog.jsonb_build_object('code', 'WL002',
        'message', pg_catalog.format('wallet %s does not exist', coalesce(wallet_id::text, 'NULL')),
        'facts', pg_catalog.jsonb_build_object('wallet_id', wallet_id))
$$;

COMMENT ON FUNCTION wallets._no_wallet(bigint) IS 'Internal: the WL002 problem of a wallet id that does not exist.';
REVOKE ALL ON FUNCTION wallets._no_wallet(bigint) FROM PUBLIC;
