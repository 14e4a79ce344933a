CREATE OR REPLACE FUNCTION wallets.balance(wallet_id bigint)
RETURNS bigint
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    as_of timestamptz := wallets.now();
    wallet wallets.wallets;
BEGIN
    SELECT * INTO wallet FROM wallets.wallets w WHERE w.id = balance.wallet_id;
    IF NOT FOUND THEN
        PERFORM wallets._fail('WL002', format('wallet %s does not exist', coalesce(balance.wallet_id::text, 'NULL')),
                              jsonb_build_object('wallet_id', balance.wallet_id));
    END IF;
    IF wallet.expiry_floor <= as_of THEN
        -- Buckets past expiry stop counting at once, before any sweep posts their expiration.
        RETURN wallet.ledger_balance - coalesce((SELECT sum(b.remaining) FROM wallets.bucket_state b
                                                 WHERE b.wallet_id = wallet.id AND b.remaining > 0 AND b.expires_at <= as_of), 0);
    END IF;
    RETURN wallet.ledger_balance;
END
$$;

COMMENT ON FUNCTION wallets.balance(bigint) IS
'The spendable balance at wallets.now(): live bucket remainders minus debt. Constant cost whatever the ledger length. Errors: WL002.';
REVOKE ALL ON FUNCTION wallets.balance(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.balance(bigint) TO wallets_app;
