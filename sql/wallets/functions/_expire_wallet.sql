-- Sweeps a locked wallet at `as_of`: ends its holds past expiry (their credits return to their
-- buckets), then posts one expiration entry per bucket due with a free remainder, oldest expiry
-- first, at most max_buckets of them, and refreshes the wallet's caches. Returns the number of
-- buckets expired.
CREATE OR REPLACE FUNCTION wallets._expire_wallet(wallet_id bigint, as_of timestamptz, max_buckets bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    lapsed wallets.holds;
    balance bigint;
    due record;
    expired_count bigint := 0;
BEGIN
    FOR lapsed IN
        SELECT * FROM wallets.holds h
        WHERE h.wallet_id = _expire_wallet.wallet_id AND h.status = 'active' AND h.expires_at <= _expire_wallet.as_of
        ORDER BY h.expires_at, h.id
    LOOP
        PERFORM wallets._settle_hold(lapsed, NULL, 0, 'expired', _expire_wallet.as_of);
    END LOOP;

    SELECT w.ledger_balance INTO balance FROM wallets.wallets w WHERE w.id = _expire_wallet.wallet_id;
    FOR due IN
        SELECT b.transaction_id, b.remaining
        FROM wallets.bucket_state b
        WHERE b.wallet_id = _expire_wallet.wallet_id AND b.open AND b.expires_at <= _expire_wallet.as_of
        ORDER BY b.expires_at, b.transaction_id
        LIMIT max_buckets
    LOOP
        balance := (wallets._remove_from_bucket(_expire_wallet.wallet_id, balance, due.transaction_id, due.remaining,
                                                'expiration', '{}', _expire_wallet.as_of)).balance_after;
        expired_count := expired_count + 1;
    END LOOP;

    UPDATE wallets.wallets
    SET ledger_balance = balance,
        expiry_floor = least((SELECT min(b.expires_at) FROM wallets.bucket_state b
                              WHERE b.wallet_id = _expire_wallet.wallet_id AND b.open AND b.expires_at IS NOT NULL),
                             (SELECT min(h.expires_at) FROM wallets.holds h
                              WHERE h.wallet_id = _expire_wallet.wallet_id AND h.status = 'active'))
    WHERE id = _expire_wallet.wallet_id;
    RETURN expired_count;
END
$$;

COMMENT ON FUNCTION wallets._expire_wallet(bigint, timestamptz, bigint) IS 'Internal: end the lapsed holds and expire the due buckets of one locked wallet.';
REVOKE ALL ON FUNCTION wallets._expire_wallet(bigint, timestamptz, bigint) FROM PUBLIC;
