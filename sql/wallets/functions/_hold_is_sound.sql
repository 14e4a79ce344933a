-- The rules every hold obeys, as one function for the table's one CHECK constraint, for the
-- reason given in _entry_is_sound.sql (a hold row is written by hold and again by its capture or
-- release). IMMUTABLE: it reads nothing but its arguments.
CREATE OR REPLACE FUNCTION wallets._hold_is_sound(amount bigint, status text, captured_amount bigint, closed_at timestamptz)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    RETURN amount > 0
       AND status IN ('active', 'captured', 'released', 'expired')
       AND captured_amount BETWEEN 0 AND amount
       AND (status = 'captured' OR captured_amount = 0)   -- only a capture takes anything
       AND (status = 'active') = (closed_at IS NULL);     -- an ended hold has its end time
END
$$;

COMMENT ON FUNCTION wallets._hold_is_sound(bigint, text, bigint, timestamptz) IS
'Internal: the CHECK rule of wallets.holds (positive amount, known status, captured amount within the hold and only on a capture, closed_at exactly when ended).';
REVOKE ALL ON FUNCTION wallets._hold_is_sound(bigint, text, bigint, timestamptz) FROM PUBLIC;
