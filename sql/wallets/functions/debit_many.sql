CREATE OR REPLACE FUNCTION wallets.debit_many(wallet_ids bigint[], amounts bigint[], categories text[] DEFAULT NULL,
                                             metadata jsonb[] DEFAULT NULL, idempotency_keys text[] DEFAULT NULL,
                                             atomic boolean DEFAULT false)
RETURNS TABLE (item integer, transaction_id bigint, error_code text, error_message text)
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM wallets._apply_many('debit', wallet_ids, amounts, categories, NULL, metadata, idempotency_keys, NULL, atomic)
$$;

COMMENT ON FUNCTION wallets.debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean) IS
'Post many debits in one call (e.g. a metering pipeline''s usage events): item i debits wallet_ids[i] by amounts[i] with the i-th category, metadata and idempotency key (NULL arrays or entries: the defaults of wallets.debit). Items apply in order. Returns one row per item (1-based): the transaction id, or the error code and message of a refused item, which undoes nothing else; with atomic => true any refused item fails the whole call (its message names the item). Errors: WL012 (arrays of different lengths).';
REVOKE ALL ON FUNCTION wallets.debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean) TO wallets_app;
