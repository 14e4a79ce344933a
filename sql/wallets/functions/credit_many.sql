CREATE OR REPLACE FUNCTION wallets.credit_many(wallet_ids bigint[], amounts bigint[], categories text[] DEFAULT NULL,
                                              expires_at timestamptz[] DEFAULT NULL, metadata jsonb[] DEFAULT NULL,
                                              idempotency_keys text[] DEFAULT NULL, priorities integer[] DEFAULT NULL,
                                              atomic boolean DEFAULT false)
RETURNS TABLE (item integer, transaction_id bigint, error_code text, error_message text, error_detail jsonb)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    size integer := wallets._check_batch('credit_many', credit_many.wallet_ids, credit_many.amounts,
        ARRAY[wallets._batch_length(credit_many.categories), wallets._batch_length(credit_many.expires_at),
              wallets._batch_length(credit_many.metadata), wallets._batch_length(credit_many.idempotency_keys),
              wallets._batch_length(credit_many.priorities)], credit_many.atomic);
    entry_ids bigint[] := '{}';
    codes text[] := '{}';
    messages text[] := '{}';
    details jsonb[] := '{}';
    current_item integer;
    all_posted boolean := true;
    failed_code text;
    failed_message text;
    failed_detail text;
BEGIN
    PERFORM wallets._lock_wallets(credit_many.wallet_ids);
    -- Each item is wallets.credit itself. Optimistic: the whole batch in one subtransaction;
    -- only when an item is refused is the batch redone with one subtransaction per item, so a
    -- refused item undoes nothing else.
    BEGIN
        FOR p IN 1..size LOOP
            current_item := p;
            entry_ids[p] := (wallets.credit(credit_many.wallet_ids[p], credit_many.amounts[p], coalesce(credit_many.categories[p], 'credit'),
                                            credit_many.expires_at[p], coalesce(credit_many.metadata[p], '{}'),
                                            credit_many.idempotency_keys[p], coalesce(credit_many.priorities[p], 50))).id;
        END LOOP;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS failed_code = RETURNED_SQLSTATE, failed_message = MESSAGE_TEXT, failed_detail = PG_EXCEPTION_DETAIL;
        IF left(failed_code, 2) <> 'WL' THEN
            RAISE;
        END IF;
        IF credit_many.atomic THEN
            PERFORM wallets._fail(failed_code, format('item %s: %s', current_item, failed_message),
                                  (coalesce(nullif(failed_detail, ''), '{}')::jsonb - 'code' - 'error') || jsonb_build_object('item', current_item));
        END IF;
        all_posted := false;
    END;

    IF NOT all_posted THEN
        entry_ids := '{}';
        FOR p IN 1..size LOOP
            BEGIN
                entry_ids[p] := (wallets.credit(credit_many.wallet_ids[p], credit_many.amounts[p], coalesce(credit_many.categories[p], 'credit'),
                                                credit_many.expires_at[p], coalesce(credit_many.metadata[p], '{}'),
                                                credit_many.idempotency_keys[p], coalesce(credit_many.priorities[p], 50))).id;
            EXCEPTION WHEN OTHERS THEN
                IF left(SQLSTATE, 2) <> 'WL' THEN
                    RAISE;
                END IF;
                GET STACKED DIAGNOSTICS failed_detail = PG_EXCEPTION_DETAIL;
                codes[p] := SQLSTATE;
                messages[p] := SQLERRM;
                details[p] := nullif(failed_detail, '')::jsonb;
            END;
        END LOOP;
    END IF;

    RETURN QUERY SELECT p, entry_ids[p], codes[p], messages[p], details[p] FROM generate_series(1, size) AS p;
END
$$;

COMMENT ON FUNCTION wallets.credit_many(bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean) IS
'Post many credits in one call: item i credits wallet_ids[i] with amounts[i] and the i-th category, expiry, metadata, idempotency key and priority (NULL arrays or entries: the defaults of wallets.credit), exactly as wallets.credit would, in array order. Returns one row per item (1-based): the transaction id (the original one for a replay), or the error code, message and JSON detail of a refused item, which undoes nothing else; with atomic => true any refused item fails the whole call (its message names the item). Errors: WL012 (arrays of different lengths).';
REVOKE ALL ON FUNCTION wallets.credit_many(bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.credit_many(bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean) TO wallets_app;
