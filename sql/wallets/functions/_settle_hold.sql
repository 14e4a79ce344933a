-- Ends an active hold of a locked wallet: the first `captured` credits (in draw-down order of
-- the reserved buckets) become allocations of capture_entry_id, the rest go back to their
-- buckets' free remainder. Credits returned to a bucket past its expiry are left for the
-- caller's sweep, which expires them at once.
CREATE OR REPLACE FUNCTION wallets._settle_hold(hold wallets.holds, capture_entry_id bigint, captured bigint,
                                                final_status text, as_of timestamptz)
RETURNS void
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    reserved record;
    take bigint;
    to_capture bigint := _settle_hold.captured;
    earliest_return timestamptz;
    -- The draw-down key of the first bucket (in draw-down order) that gets credits back.
    return_priority integer;
    return_expiry timestamptz;
    return_id bigint;
BEGIN
    UPDATE wallets.holds
    SET status = final_status, captured_amount = _settle_hold.captured, closed_at = as_of
    WHERE wallet_id = hold.wallet_id AND id = hold.id;

    IF _settle_hold.captured = hold.amount THEN
        -- A full capture returns nothing: the buckets' order and expiry play no part, so one
        -- index scan of the reservations replaces the ordered join, the buckets' free remainder
        -- stays as it is, and so do the wallet's expiry floor and draw_from key (measured with
        -- _lock_hold's one read of hold and wallet: about 8 % of a hold + capture pair).
        FOR reserved IN
            SELECT r.source_transaction_id, r.amount FROM wallets.hold_allocations r
            WHERE r.wallet_id = hold.wallet_id AND r.hold_id = hold.id
        LOOP
            INSERT INTO wallets.allocations (wallet_id, transaction_id, source_transaction_id, amount)
            VALUES (hold.wallet_id, capture_entry_id, reserved.source_transaction_id, reserved.amount);
            UPDATE wallets.bucket_state SET held = held - reserved.amount
            WHERE wallet_id = hold.wallet_id AND transaction_id = reserved.source_transaction_id;
        END LOOP;
        UPDATE wallets.wallets SET ledger_balance = ledger_balance - _settle_hold.captured, held = held - hold.amount
        WHERE id = hold.wallet_id;
        RETURN;
    END IF;

    FOR reserved IN
        SELECT r.source_transaction_id, r.amount, b.expires_at, b.priority
        FROM wallets.hold_allocations r
        JOIN wallets.bucket_state b ON b.wallet_id = r.wallet_id AND b.transaction_id = r.source_transaction_id
        WHERE r.wallet_id = hold.wallet_id AND r.hold_id = hold.id
        ORDER BY b.priority, coalesce(b.expires_at, 'infinity'::timestamptz), b.transaction_id
    LOOP
        take := least(reserved.amount, to_capture);
        IF take > 0 THEN
            INSERT INTO wallets.allocations (wallet_id, transaction_id, source_transaction_id, amount)
            VALUES (hold.wallet_id, capture_entry_id, reserved.source_transaction_id, take);
        END IF;
        UPDATE wallets.bucket_state
        SET held = held - reserved.amount, remaining = remaining + (reserved.amount - take),
            open = remaining + (reserved.amount - take) > 0
        WHERE wallet_id = hold.wallet_id AND transaction_id = reserved.source_transaction_id;
        IF reserved.amount > take THEN
            earliest_return := least(earliest_return, reserved.expires_at);
            IF return_id IS NULL THEN
                return_priority := reserved.priority;
                return_expiry := reserved.expires_at;
                return_id := reserved.source_transaction_id;
            END IF;
        END IF;
        to_capture := to_capture - take;
    END LOOP;
    -- The capture's entry (posted by _post_debit) leaves the balance here, in the same update,
    -- and a returned bucket before the wallet's draw_from key moves that key back to it.
    UPDATE wallets.wallets
    SET ledger_balance = ledger_balance - _settle_hold.captured,
        held = held - hold.amount,
        expiry_floor = least(expiry_floor, earliest_return),
        draw_from_priority = CASE WHEN wallets._sorts_before(return_priority, return_expiry, return_id, draw_from_priority, draw_from_expiry, draw_from_id)
                                  THEN return_priority ELSE draw_from_priority END,
        draw_from_expiry = CASE WHEN wallets._sorts_before(return_priority, return_expiry, return_id, draw_from_priority, draw_from_expiry, draw_from_id)
                                THEN return_expiry ELSE draw_from_expiry END,
        draw_from_id = CASE WHEN wallets._sorts_before(return_priority, return_expiry, return_id, draw_from_priority, draw_from_expiry, draw_from_id)
                            THEN return_id ELSE draw_from_id END
    WHERE id = hold.wallet_id;
END
$$;

COMMENT ON FUNCTION wallets._settle_hold(wallets.holds, bigint, bigint, text, timestamptz) IS
'Internal: end a hold, allocating the captured part to the capture entry and returning the rest to its buckets.';
REVOKE ALL ON FUNCTION wallets._settle_hold(wallets.holds, bigint, bigint, text, timestamptz) FROM PUBLIC;
