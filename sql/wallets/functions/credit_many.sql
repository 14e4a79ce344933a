CREATE OR REPLACE FUNCTION wallets.credit_many(wallet_ids bigint[], amounts bigint[], categories text[] DEFAULT NULL,
                                              expires_at timestamptz[] DEFAULT NULL, metadata jsonb[] DEFAULT NULL,
                                              idempotency_keys text[] DEFAULT NULL, priorities integer[] DEFAULT NULL,
                                              atomic boolean DEFAULT false)
RETURNS TABLE (item integer, transaction_id bigint, error_code text, error_message text)
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM wallets._apply_many('credit', wallet_ids, amounts, categories, expires_at, metadata, idempotency_keys, priorities, atomic)
$$;

COMMENT ON FUNCTION wallets.credit_many(bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean) IS
'Post many credits in one call: item i credits wallet_ids[i] with amounts[i] and the i-th category, expiry, metadata, idempotency key and priority (NULL arrays or entries: the defaults of wallets.credit). Items apply in order. Returns one row per item (1-based): the transaction id, or the error code and message of a refused item, which undoes nothing else; with atomic => true any refused item fails the whole call (its message names the item). Errors: WL012 (arrays of different lengths).';
REVOKE ALL ON FUNCTION wallets.credit_many(bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.credit_many(bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean) TO wallets_app;
