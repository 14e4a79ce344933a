-- Whether a wallet may have expirations to post: its expiry_floor, a lower bound of the earliest
-- expiry among its open buckets and active holds, has come (NULL, never, is not due). Writers
-- test it before calling _sweep_due, so the common write, with nothing due, makes no function
-- call for the sweep (a PL/pgSQL call costs about 10k instructions; this inlines to one
-- comparison).
CREATE OR REPLACE FUNCTION wallets._sweep_is_due(expiry_floor timestamptz, as_of timestamptz)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT coalesce(expiry_floor <= as_of, false)
$$;

COMMENT ON FUNCTION wallets._sweep_is_due(timestamptz, timestamptz) IS 'Internal: whether a wallet''s expiry_floor has come, so a write must sweep it first.';
REVOKE ALL ON FUNCTION wallets._sweep_is_due(timestamptz, timestamptz) FROM PUBLIC;
