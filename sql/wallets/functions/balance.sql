CREATE OR REPLACE FUNCTION wallets.balance(wallet_id bigint)
RETURNS bigint
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    available bigint;
BEGIN
    SELECT b.available INTO available FROM wallets.balances b WHERE b.wallet_id = balance.wallet_id;
    IF NOT FOUND THEN
        PERFORM wallets._raise(wallets._no_wallet(balance.wallet_id));
    END IF;
    RETURN available;
END
$$;

COMMENT ON FUNCTION wallets.balance(bigint) IS
'The spendable balance at wallets.now(): live credits minus debt minus what active holds reserve (the available column of wallets.balances). Constant cost whatever the ledger length. Errors: WL002.';
REVOKE ALL ON FUNCTION wallets.balance(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.balance(bigint) TO wallets_app;
