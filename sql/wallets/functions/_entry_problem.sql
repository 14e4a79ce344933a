-- What is wrong with the amount, category or metadata of a ledger write, as a problem
-- {code, message, facts}, or NULL: the rule _entry_fault finds broken, in words. Checked before
-- anything is locked or written. A single SQL expression, so the planner inlines it into its
-- callers (a batch checks every item with it); single writes call it only once _entry_fault
-- has found a fault.
CREATE OR REPLACE FUNCTION wallets._entry_problem(wallet_id bigint, amount bigint, category text, metadata jsonb)
RETURNS jsonb
LANGUAGE sql
STABLE
AS $$
    SELECT CASE wallets._entry_fault(amount, category, metadata)
        WHEN 'amount' THEN
            pg_catalog.jsonb_build_object('code', 'WL003',
                'message', pg_catalog.format('wallet %s: amount must be a positive whole number, got %s', wallet_id, coalesce(amount::text, 'NULL')),
                'facts', pg_catalog.jsonb_build_object('wallet_id', wallet_id, 'amount', amount))
        WHEN 'category' THEN
            pg_catalog.jsonb_build_object('code', 'WL012',
                'message', pg_catalog.format('wallet %s: category %L must match ^[a-z][a-z0-9_]{0,63}$', wallet_id, category),
                'facts', pg_catalog.jsonb_build_object('wallet_id', wallet_id, 'argument', 'category', 'value', category))
        WHEN 'reserved_category' THEN
            pg_catalog.jsonb_build_object('code', 'WL012',
                'message', pg_catalog.format('wallet %s: category %L is reserved for the ledger', wallet_id, category),
                'facts', pg_catalog.jsonb_build_object('wallet_id', wallet_id, 'argument', 'category', 'value', category))
        WHEN 'metadata' THEN
            pg_catalog.jsonb_build_object('code', 'WL012',
                'message', pg_catalog.format('wallet %s: metadata must be a JSON object', wallet_id),
                'facts', pg_catalog.jsonb_build_object('wallet_id', wallet_id, 'argument', 'metadata', 'value', metadata))
    END
$$;

COMMENT ON FUNCTION wallets._entry_problem(bigint, bigint, text, jsonb) IS 'Internal: the problem with a write''s amount, category or metadata, or NULL.';
REVOKE ALL ON FUNCTION wallets._entry_problem(bigint, bigint, text, jsonb) FROM PUBLIC;
