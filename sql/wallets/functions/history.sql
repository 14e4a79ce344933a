CREATE OR REPLACE FUNCTION wallets.history(wallet_id bigint, before_id bigint DEFAULT NULL, max_rows integer DEFAULT 100)
RETURNS SETOF wallets.transactions
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM wallets.transactions t
    WHERE t.wallet_id = history.wallet_id AND (history.before_id IS NULL OR t.id < history.before_id)
    ORDER BY t.id DESC
    LIMIT greatest(history.max_rows, 0)
$$;

COMMENT ON FUNCTION wallets.history(bigint, bigint, integer) IS
'A wallet''s transactions, newest first, at most max_rows; pass the last id seen as before_id for the next page.';
REVOKE ALL ON FUNCTION wallets.history(bigint, bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.history(bigint, bigint, integer) TO wallets_app;
