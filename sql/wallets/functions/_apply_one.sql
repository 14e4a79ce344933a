-- One item of a batch: the public credit or debit with the item's values, NULLs meaning the
-- function's own defaults. Returns the transaction id (the original one for a replay).
CREATE OR REPLACE FUNCTION wallets._apply_one(kind text, wallet_id bigint, amount bigint, category text, expires_at timestamptz,
                                              metadata jsonb, idempotency_key text, priority integer)
RETURNS bigint
LANGUAGE sql
AS $$
    SELECT CASE kind
        WHEN 'credit' THEN (wallets.credit(wallet_id, amount, coalesce(category, 'credit'), expires_at, coalesce(metadata, '{}'),
                                           idempotency_key, coalesce(priority, 50))).id
        ELSE (wallets.debit(wallet_id, amount, coalesce(category, 'debit'), coalesce(metadata, '{}'), idempotency_key)).id
    END
$$;

COMMENT ON FUNCTION wallets._apply_one(text, bigint, bigint, text, timestamptz, jsonb, text, integer) IS
'Internal: one credit or debit of a batch.';
REVOKE ALL ON FUNCTION wallets._apply_one(text, bigint, bigint, text, timestamptz, jsonb, text, integer) FROM PUBLIC;
