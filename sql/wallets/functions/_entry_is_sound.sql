-- The rules every ledger entry obeys, the body of the table's one CHECK constraint
-- (constraints/transactions_entry_rules.sql). PostgreSQL parses a table's CHECK expressions
-- again for every statement that writes it. Five separate constraints cost each ledger write
-- ~8 µs of parsing; one call of a PL/pgSQL function (compiled once per session) ~4 µs. The
-- call takes the whole row, one column reference to parse where five were (callgrind: 51k of
-- a transfer's 1.33M instructions across its tables). IMMUTABLE: it reads nothing but its
-- argument.
CREATE OR REPLACE FUNCTION wallets._entry_is_sound(entry wallets.transactions)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    RETURN entry.amount <> 0
       AND entry.balance_after = entry.balance_before + entry.amount     -- the balance chain
       AND (entry.amount > 0) = (entry.priority IS NOT NULL)             -- credits, and only credits, have a priority
       AND (entry.priority IS NULL OR entry.priority BETWEEN 0 AND 100)
       AND (entry.amount > 0 OR entry.expires_at IS NULL);               -- only credits expire
END
$$;

COMMENT ON FUNCTION wallets._entry_is_sound(wallets.transactions) IS
'Internal: the CHECK rule of wallets.transactions (non-zero amount, balance chain, priority only and always on credits, expiry only on credits).';
REVOKE ALL ON FUNCTION wallets._entry_is_sound(wallets.transactions) FROM PUBLIC;
