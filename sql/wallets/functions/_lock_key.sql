-- The advisory-lock key of a wallet: its id XOR a fixed tag, so it is unique per wallet and
-- unlikely to meet an application's own small-numbered advisory locks.
CREATE OR REPLACE FUNCTION wallets._lock_key(wallet_id bigint)
RETURNS bigint
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    SELECT wallet_id # 6287225925236473856  -- 0x5741_4C4C_0000_0000, "WALL"
$$;

COMMENT ON FUNCTION wallets._lock_key(bigint) IS 'Internal: advisory-lock key that serializes the writes of one wallet.';
REVOKE ALL ON FUNCTION wallets._lock_key(bigint) FROM PUBLIC;
