-- Posts a negative entry that takes `amount` of the free remainder of one bucket (expiration,
-- void, expiry_change), allocated against it. The caller holds the wallet lock, passes the
-- wallet's current ledger balance and updates the wallet's caches.
CREATE OR REPLACE FUNCTION wallets._remove_from_bucket(wallet_id bigint, balance bigint, bucket_id bigint, amount bigint,
                                                       category text, metadata jsonb, created_at timestamptz)
RETURNS wallets.transactions
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    entry wallets.transactions;
BEGIN
    INSERT INTO wallets.transactions (wallet_id, amount, category, balance_before, balance_after, metadata, created_at)
    VALUES (_remove_from_bucket.wallet_id, -_remove_from_bucket.amount, _remove_from_bucket.category, _remove_from_bucket.balance,
            _remove_from_bucket.balance - _remove_from_bucket.amount, _remove_from_bucket.metadata, _remove_from_bucket.created_at)
    RETURNING * INTO entry;
    INSERT INTO wallets.allocations (wallet_id, transaction_id, source_transaction_id, amount)
    VALUES (_remove_from_bucket.wallet_id, entry.id, _remove_from_bucket.bucket_id, _remove_from_bucket.amount);
    UPDATE wallets.bucket_state
    SET remaining = remaining - _remove_from_bucket.amount, open = remaining > _remove_from_bucket.amount,
        expired = expired OR _remove_from_bucket.category = 'expiration'
    WHERE wallet_id = _remove_from_bucket.wallet_id AND transaction_id = _remove_from_bucket.bucket_id;
    RETURN entry;
END
$$;

COMMENT ON FUNCTION wallets._remove_from_bucket(bigint, bigint, bigint, bigint, text, jsonb, timestamptz) IS
'Internal: post a negative entry against one bucket''s free remainder (expiration, void, expiry_change).';
REVOKE ALL ON FUNCTION wallets._remove_from_bucket(bigint, bigint, bigint, bigint, text, jsonb, timestamptz) FROM PUBLIC;
