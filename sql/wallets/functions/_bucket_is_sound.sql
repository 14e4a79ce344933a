-- The rules every bucket obeys, as one function for the table's one CHECK constraint, for the
-- reason given in _entry_is_sound.sql (a debit, a hold and its capture each update a bucket).
-- IMMUTABLE: it reads nothing but its arguments.
CREATE OR REPLACE FUNCTION wallets._bucket_is_sound(remaining bigint, held bigint)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    RETURN remaining >= 0 AND held >= 0;
END
$$;

COMMENT ON FUNCTION wallets._bucket_is_sound(bigint, bigint) IS
'Internal: the CHECK rule of wallets.bucket_state (remaining and held not negative).';
REVOKE ALL ON FUNCTION wallets._bucket_is_sound(bigint, bigint) FROM PUBLIC;
