-- Allocates a negative entry against the wallet's live buckets in draw-down order: priority,
-- then earliest expiry (never-expiring last), then oldest. One allocation per bucket touched.
-- The wallet is locked and swept, so every bucket with a remainder is live.
-- Returns the part no bucket covered (a debt, on an allow_negative wallet).
CREATE OR REPLACE FUNCTION wallets._draw_down(wallet_id bigint, transaction_id bigint, amount bigint)
RETURNS bigint
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    uncovered bigint := _draw_down.amount;
    bucket record;
    take bigint;
BEGIN
    FOR bucket IN
        SELECT b.transaction_id, b.remaining
        FROM wallets.bucket_state b
        WHERE b.wallet_id = _draw_down.wallet_id AND b.remaining > 0
        ORDER BY b.priority, b.expires_at, b.transaction_id
    LOOP
        take := least(bucket.remaining, uncovered);
        UPDATE wallets.bucket_state
        SET remaining = remaining - take
        WHERE wallet_id = _draw_down.wallet_id AND transaction_id = bucket.transaction_id;
        INSERT INTO wallets.allocations (wallet_id, transaction_id, source_transaction_id, amount)
        VALUES (_draw_down.wallet_id, _draw_down.transaction_id, bucket.transaction_id, take);
        uncovered := uncovered - take;
        EXIT WHEN uncovered = 0;
    END LOOP;
    RETURN uncovered;
END
$$;

COMMENT ON FUNCTION wallets._draw_down(bigint, bigint, bigint) IS 'Internal: allocate a negative entry against live buckets in draw-down order; returns the uncovered rest.';
REVOKE ALL ON FUNCTION wallets._draw_down(bigint, bigint, bigint) FROM PUBLIC;
