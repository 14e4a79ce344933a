-- The rules every bucket obeys, the body of the table's one CHECK constraint
-- (constraints/bucket_state_rules.sql), for the reasons given in _wallet_is_sound.sql (a debit,
-- a hold and its capture each update a bucket). open is a plain column its writers set, not a
-- generated one: PostgreSQL parses a generated column's expression again for every statement
-- that writes the table, which cost each bucket write more than this whole rule. This rule
-- keeps it exact. IMMUTABLE: it reads nothing but its argument.
CREATE OR REPLACE FUNCTION wallets._bucket_is_sound(bucket wallets.bucket_state)
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
