-- Which rule the amount, category or metadata of a ledger write breaks: 'amount', 'category',
-- 'reserved_category' or 'metadata'; NULL when it breaks none. The rules themselves;
-- _entry_problem words them. Kept apart because PL/pgSQL builds every expression it evaluates
-- anew in each transaction: a write that breaks no rule builds this small test, not the wording
-- with its jsonb_build_object and format calls (measured: 4.7 % of a credit's instructions).
CREATE OR REPLACE FUNCTION wallets._entry_fault(amount bigint, category text, metadata jsonb)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE
        WHEN amount IS NULL OR amount <= 0 THEN 'amount'
        -- category ~ '^[a-z][a-z0-9_]{0,63}$', spelled as an unbounded match and a length test:
        -- the bounded repetition made the match cost 36k instructions a call, string functions
        -- (ltrim over the allowed set, ascii, octet_length) 18k, this 8k.
        WHEN category IS NULL OR category !~ '^[a-z][a-z0-9_]*$' OR octet_length(category) > 64 THEN 'category'
        -- The ledger's own entries keep categories no caller can forge.
        WHEN category IN ('expiration', 'transfer_in', 'transfer_out', 'void', 'expiry_change', 'reversal') THEN 'reserved_category'
        WHEN metadata IS NOT NULL AND pg_catalog.jsonb_typeof(metadata) <> 'object' THEN 'metadata'
    END
$$;

COMMENT ON FUNCTION wallets._entry_fault(bigint, text, jsonb) IS 'Internal: the rule a write''s amount, category or metadata breaks, or NULL.';
REVOKE ALL ON FUNCTION wallets._entry_fault(bigint, text, jsonb) FROM PUBLIC;
