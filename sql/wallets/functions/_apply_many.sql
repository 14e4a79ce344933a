-- Applies a batch of credits or debits, item by item in array order (so the items of one wallet
-- apply in order), through wallets.credit or wallets.debit themselves. Every wallet of the batch
-- is locked first, in ascending id order, so batches never deadlock with each other or with
-- single writes. Optimistic: the whole batch runs in one subtransaction; only when an item fails
-- is it redone with one subtransaction per item, so a failing item undoes nothing else (unless
-- atomic, where the first failure fails the call, naming its item).
CREATE OR REPLACE FUNCTION wallets._apply_many(kind text, wallet_ids bigint[], amounts bigint[], categories text[],
                                               expires_at timestamptz[], metadata jsonb[], idempotency_keys text[],
                                               priorities integer[], atomic boolean)
RETURNS TABLE (item integer, transaction_id bigint, error_code text, error_message text)
LANGUAGE plpgsql
AS $$
DECLARE
    size integer := coalesce(cardinality(wallet_ids), 0);
    posted bigint[] := '{}';
    codes text[] := '{}';
    messages text[] := '{}';
    current_item integer;  -- the loop variable is local to its loop; the handler reads this one
    failed_code text;
    failed_message text;
    failed_detail text;
    locked_id bigint;
BEGIN
    IF cardinality(amounts) IS DISTINCT FROM size
       OR coalesce(cardinality(categories), size) <> size OR coalesce(cardinality(expires_at), size) <> size
       OR coalesce(cardinality(metadata), size) <> size OR coalesce(cardinality(idempotency_keys), size) <> size
       OR coalesce(cardinality(priorities), size) <> size OR atomic IS NULL THEN
        PERFORM wallets._fail('WL012', format('%s_many: every array must have one entry per wallet_id (%s), and atomic is true or false', kind, size),
                              jsonb_build_object('argument', 'arrays', 'wallet_ids', size, 'amounts', cardinality(amounts)));
    END IF;
    FOR locked_id IN SELECT DISTINCT id FROM unnest(wallet_ids) AS id WHERE id IS NOT NULL ORDER BY id LOOP
        PERFORM pg_advisory_xact_lock(wallets._lock_key(locked_id));
    END LOOP;

    BEGIN
        FOR position IN 1..size LOOP
            current_item := position;
            posted[position] := wallets._apply_one(kind, wallet_ids[position], amounts[position], categories[position],
                                                   expires_at[position], metadata[position], idempotency_keys[position],
                                                   priorities[position]);
        END LOOP;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS failed_code = RETURNED_SQLSTATE, failed_message = MESSAGE_TEXT, failed_detail = PG_EXCEPTION_DETAIL;
        IF left(failed_code, 2) <> 'WL' THEN
            RAISE;
        END IF;
        IF atomic THEN
            RAISE EXCEPTION USING ERRCODE = failed_code, MESSAGE = format('item %s: %s', current_item, failed_message),
                DETAIL = (coalesce(nullif(failed_detail, '')::jsonb, '{}') || jsonb_build_object('item', current_item))::text;
        END IF;
        posted := NULL;
    END;

    IF posted IS NULL THEN
        posted := '{}';
        FOR position IN 1..size LOOP
            BEGIN
                posted[position] := wallets._apply_one(kind, wallet_ids[position], amounts[position], categories[position],
                                                       expires_at[position], metadata[position], idempotency_keys[position],
                                                       priorities[position]);
            EXCEPTION WHEN OTHERS THEN
                IF left(SQLSTATE, 2) <> 'WL' THEN
                    RAISE;
                END IF;
                codes[position] := SQLSTATE;
                messages[position] := SQLERRM;
            END;
        END LOOP;
    END IF;

    RETURN QUERY SELECT position_in_batch, posted[position_in_batch], codes[position_in_batch], messages[position_in_batch]
                 FROM generate_series(1, size) AS position_in_batch;
END
$$;

COMMENT ON FUNCTION wallets._apply_many(text, bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean) IS
'Internal: apply a batch of credits or debits with per-item results.';
REVOKE ALL ON FUNCTION wallets._apply_many(text, bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean) FROM PUBLIC;
