-- Takes `amount` from the wallet's live buckets in draw-down order: priority, then earliest
-- expiry (never-expiring last), then oldest; one row per bucket touched. For a negative entry
-- (hold_id NULL) the credits leave the buckets as allocations of transaction_id; for a hold they
-- move from remaining to held, recorded in hold_allocations. The wallet is locked and swept, so
-- every bucket with a free remainder is live. The scan starts at the wallet's draw_from key (no
-- open bucket sorts before it). Returns the part no bucket covered and the key of the last
-- bucket taken from, where the next draw-down may start; the caller stores it on the wallet.
CREATE OR REPLACE FUNCTION wallets._draw_down(wallet wallets.wallets, transaction_id bigint, amount bigint, hold_id bigint DEFAULT NULL,
                                              OUT uncovered bigint, OUT draw_from_priority integer,
                                              OUT draw_from_expiry timestamptz, OUT draw_from_id bigint)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    -- A declared cursor is planned for its first rows (cursor_tuple_fraction): an ordered scan
    -- of bucket_state_draw_down that stops at the last bucket needed. A FOR loop over a plain
    -- query is planned to read every row, and picked a bitmap scan of all the wallet's buckets
    -- plus a sort once a wallet had a few dozen (see issue 4's note).
    buckets CURSOR FOR
        SELECT b.transaction_id, b.remaining, b.priority, b.expires_at
        FROM wallets.bucket_state b
        WHERE b.wallet_id = wallet.id AND b.open
          AND (b.priority, coalesce(b.expires_at, 'infinity'::timestamptz), b.transaction_id)
              >= (wallet.draw_from_priority, coalesce(wallet.draw_from_expiry, 'infinity'::timestamptz), wallet.draw_from_id)
        ORDER BY b.priority, coalesce(b.expires_at, 'infinity'::timestamptz), b.transaction_id;
    take bigint;
BEGIN
    uncovered := _draw_down.amount;
    draw_from_priority := wallet.draw_from_priority;
    draw_from_expiry := wallet.draw_from_expiry;
    draw_from_id := wallet.draw_from_id;
    FOR bucket IN buckets LOOP
        take := least(bucket.remaining, uncovered);
        IF _draw_down.hold_id IS NULL THEN
            UPDATE wallets.bucket_state
            SET remaining = remaining - take, open = remaining > take
            WHERE wallet_id = wallet.id AND transaction_id = bucket.transaction_id;
            INSERT INTO wallets.allocations (wallet_id, transaction_id, source_transaction_id, amount)
            VALUES (wallet.id, _draw_down.transaction_id, bucket.transaction_id, take);
        ELSE
            UPDATE wallets.bucket_state
            SET remaining = remaining - take, open = remaining > take, held = held + take
            WHERE wallet_id = wallet.id AND transaction_id = bucket.transaction_id;
            INSERT INTO wallets.hold_allocations (wallet_id, hold_id, source_transaction_id, amount)
            VALUES (wallet.id, _draw_down.hold_id, bucket.transaction_id, take);
        END IF;
        draw_from_priority := bucket.priority;
        draw_from_expiry := bucket.expires_at;
        draw_from_id := bucket.transaction_id;
        uncovered := uncovered - take;
        EXIT WHEN uncovered = 0;
    END LOOP;
END
$$;

COMMENT ON FUNCTION wallets._draw_down(wallets.wallets, bigint, bigint, bigint) IS
'Internal: take an amount from live buckets in draw-down order from the wallet''s draw_from key, for a negative entry or a hold; returns the uncovered rest and the key the next draw-down may start from.';
REVOKE ALL ON FUNCTION wallets._draw_down(wallets.wallets, bigint, bigint, bigint) FROM PUBLIC;
