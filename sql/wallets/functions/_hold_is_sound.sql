-- The rules every hold obeys, the body of the table's one CHECK constraint
-- (constraints/holds_rules.sql), for the reasons given in _wallet_is_sound.sql.
-- IMMUTABLE: it reads nothing but its argument.
CREATE OR REPLACE FUNCTION wallets._hold_is_sound(hold wallets.holds)
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
