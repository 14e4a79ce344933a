-- Takes `amount` from the wallet's live buckets in draw-down order: priority, then earliest
-- expiry (never-expiring last), then oldest; one row per bucket touched. For a negative entry
-- (hold_id NULL) the credits leave the buckets as allocations of transaction_id; for a hold they
-- move from remaining to held, recorded in hold_allocations. The wallet is locked and swept, so
-- every bucket with a free remainder is live. Returns the part no bucket covered.
CREATE OR REPLACE FUNCTION wallets._draw_down(wallet_id bigint, transaction_id bigint, amount bigint, hold_id bigint DEFAULT NULL)
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
        WHERE b.wallet_id = _draw_down.wallet_id AND b.open
        ORDER BY b.priority, b.expires_at, b.transaction_id
    LOOP
        take := least(bucket.remaining, uncovered);
        IF _draw_down.hold_id IS NULL THEN
            UPDATE wallets.bucket_state
            SET remaining = remaining - take
            WHERE wallet_id = _draw_down.wallet_id AND transaction_id = bucket.transaction_id;
            INSERT INTO wallets.allocations (wallet_id, transaction_id, source_transaction_id, amount)
            VALUES (_draw_down.wallet_id, _draw_down.transaction_id, bucket.transaction_id, take);
        ELSE
            UPDATE wallets.bucket_state
            SET remaining = remaining - take, held = held + take
            WHERE wallet_id = _draw_down.wallet_id AND transaction_id = bucket.transaction_id;
            INSERT INTO wallets.hold_allocations (wallet_id, hold_id, source_transaction_id, amount)
            VALUES (_draw_down.wallet_id, _draw_down.hold_id, bucket.transaction_id, take);
        END IF;
        uncovered := uncovered - take;
        EXIT WHEN uncovered = 0;
    END LOOP;
    RETURN uncovered;
END
$$;

COMMENT ON FUNCTION wallets._draw_down(bigint, bigint, bigint, bigint) IS 'Internal: take an amount from live buckets in draw-down order, for a negative entry or a hold; returns the uncovered rest.';
REVOKE ALL ON FUNCTION wallets._draw_down(bigint, bigint, bigint, bigint) FROM PUBLIC;
