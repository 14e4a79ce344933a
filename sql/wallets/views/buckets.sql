CREATE OR REPLACE VIEW wallets.buckets AS
SELECT
    b.transaction_id,
    b.wallet_id,
    t.category,
    t.amount,
    b.remaining,
    b.expires_at,
    b.priority,
    CASE
        WHEN b.remaining > 0 AND (b.expires_at IS NULL OR b.expires_at > wallets.now()) THEN 'active'
        WHEN b.expired OR b.remaining > 0 THEN 'expired'
        ELSE 'spent'
    END AS status,
    t.created_at
FROM wallets.bucket_state b
JOIN wallets.transactions t ON t.wallet_id = b.wallet_id AND t.id = b.transaction_id;

COMMENT ON VIEW wallets.buckets IS 'Every credit with what is left of it. status: active (counts now), spent, expired (past expires_at, swept or not).';
GRANT SELECT ON wallets.buckets TO wallets_reader;
