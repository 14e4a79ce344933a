-- Posts one expiration entry per bucket of a locked wallet that is due at `as_of`, oldest expiry
-- first, at most max_buckets of them, then refreshes the wallet's caches. Returns the count.
CREATE OR REPLACE FUNCTION wallets._expire_wallet(wallet_id bigint, as_of timestamptz, max_buckets bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    balance bigint;
    due record;
    entry_id bigint;
    expired_count bigint := 0;
BEGIN
    SELECT w.ledger_balance INTO balance FROM wallets.wallets w WHERE w.id = _expire_wallet.wallet_id;

    FOR due IN
        SELECT b.transaction_id, b.remaining
        FROM wallets.bucket_state b
        WHERE b.wallet_id = _expire_wallet.wallet_id AND b.remaining > 0 AND b.expires_at <= _expire_wallet.as_of
        ORDER BY b.expires_at, b.transaction_id
        LIMIT max_buckets
    LOOP
        INSERT INTO wallets.transactions (wallet_id, amount, category, balance_before, balance_after, created_at)
        VALUES (_expire_wallet.wallet_id, -due.remaining, 'expiration', balance, balance - due.remaining, _expire_wallet.as_of)
        RETURNING id INTO entry_id;
        INSERT INTO wallets.allocations (wallet_id, transaction_id, source_transaction_id, amount)
        VALUES (_expire_wallet.wallet_id, entry_id, due.transaction_id, due.remaining);
        UPDATE wallets.bucket_state
        SET remaining = 0, expired = true
        WHERE wallet_id = _expire_wallet.wallet_id AND transaction_id = due.transaction_id;
        balance := balance - due.remaining;
        expired_count := expired_count + 1;
    END LOOP;

    UPDATE wallets.wallets
    SET ledger_balance = balance,
        expiry_floor = (SELECT min(b.expires_at) FROM wallets.bucket_state b
                        WHERE b.wallet_id = _expire_wallet.wallet_id AND b.remaining > 0)
    WHERE id = _expire_wallet.wallet_id;
    RETURN expired_count;
END
$$;

COMMENT ON FUNCTION wallets._expire_wallet(bigint, timestamptz, bigint) IS 'Internal: sweep the due buckets of one locked wallet.';
REVOKE ALL ON FUNCTION wallets._expire_wallet(bigint, timestamptz, bigint) FROM PUBLIC;
