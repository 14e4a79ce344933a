-- Undoes `update_rules`: the triggers and their functions go, and the rules of wallets,
-- bucket_state and holds become CHECK constraints again, calling the functions as `insert_rules`
-- deployed them (their files were retired with this change, so they are written out here).
DROP TRIGGER wallets_rules ON wallets.wallets;
DROP TRIGGER bucket_state_rules ON wallets.bucket_state;
DROP TRIGGER holds_rules ON wallets.holds;
DROP FUNCTION wallets._check_wallet_rules();
DROP FUNCTION wallets._check_bucket_rules();
DROP FUNCTION wallets._check_hold_rules();

CREATE FUNCTION wallets._wallet_is_sound(wallet wallets.wallets)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    RETURN (wallet.allow_negative OR wallet.ledger_balance >= 0)  -- only an allow_negative wallet goes below zero
       AND wallet.debt >= 0
       AND wallet.held >= 0;
END
$$;

COMMENT ON FUNCTION wallets._wallet_is_sound(wallets.wallets) IS
'Internal: the CHECK rule of wallets.wallets (no negative balance unless allow_negative, debt and held not negative).';
REVOKE ALL ON FUNCTION wallets._wallet_is_sound(wallets.wallets) FROM PUBLIC;

CREATE FUNCTION wallets._bucket_is_sound(bucket wallets.bucket_state)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    RETURN bucket.remaining >= 0
       AND bucket.held >= 0
       AND bucket.open = (bucket.remaining > 0);  -- open: the bucket has credits to draw
END
$$;

COMMENT ON FUNCTION wallets._bucket_is_sound(wallets.bucket_state) IS
'Internal: the CHECK rule of wallets.bucket_state (remaining and held not negative, open exactly when remaining is positive).';
REVOKE ALL ON FUNCTION wallets._bucket_is_sound(wallets.bucket_state) FROM PUBLIC;

CREATE FUNCTION wallets._hold_is_sound(hold wallets.holds)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    RETURN hold.amount > 0
       AND hold.status IN ('active', 'captured', 'released', 'expired')
       AND hold.captured_amount BETWEEN 0 AND hold.amount
       AND (hold.status = 'captured' OR hold.captured_amount = 0)   -- only a capture takes anything
       AND (hold.status = 'active') = (hold.closed_at IS NULL);     -- an ended hold has its end time
END
$$;

COMMENT ON FUNCTION wallets._hold_is_sound(wallets.holds) IS
'Internal: the CHECK rule of wallets.holds (positive amount, known status, captured amount within the hold and only on a capture, closed_at exactly when ended).';
REVOKE ALL ON FUNCTION wallets._hold_is_sound(wallets.holds) FROM PUBLIC;

ALTER TABLE wallets.wallets ADD CONSTRAINT wallets_rules CHECK (wallets._wallet_is_sound(wallets));
ALTER TABLE wallets.bucket_state ADD CONSTRAINT bucket_state_rules CHECK (wallets._bucket_is_sound(bucket_state));
ALTER TABLE wallets.holds ADD CONSTRAINT holds_rules CHECK (wallets._hold_is_sound(holds));
