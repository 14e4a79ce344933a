CREATE OR REPLACE VIEW wallets.buckets AS
SELECT
    b.transaction_id,
    b.wallet_id,
    t.category,
    t.amount,
    b.remaining + b.held AS remaining,
    b.expires_at,
    b.priority,
    CASE
        WHEN b.remaining + b.held > 0 AND (b.expires_at IS NULL OR b.expires_at > wallets.now()) THEN 'active'
        WHEN b.expired OR b.remaining + b.held > 0 THEN 'expired'
        ELSE 'spent'
    END AS status,
    t.created_at,
    b.held
FROM wallets.bucket_state b
JOIN wallets.transactions t ON t.wallet_id = b.wallet_id AND t.id = b.transaction_id;

COMMENT ON VIEW wallets.buckets IS 'Every credit with what is left of it. remaining includes held, the part reserved by active holds (held credits outlive the bucket''s expiry until their hold ends). status: active (live with something left), spent, expired (past expires_at, swept or not).';
GRANT SELECT ON wallets.buckets TO wallets_reader;
