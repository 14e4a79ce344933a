-- The arrays of a batch call line up: wallet_ids and amounts, and every optional array given,
-- are plain lists of one entry per item. Returns the number of items.
CREATE OR REPLACE FUNCTION wallets._check_batch(operation text, wallet_ids bigint[], amounts bigint[],
                                                optional_lengths integer[], atomic boolean)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    size integer := coalesce(wallets._batch_length(wallet_ids), 0);
BEGIN
    IF size < 0 OR coalesce(wallets._batch_length(amounts), 0) <> size
       OR EXISTS (SELECT FROM unnest(optional_lengths) AS given WHERE given <> size) OR atomic IS NULL THEN
        PERFORM wallets._fail('WL012',
            format('%s: wallet_ids, amounts and every other array given must be lists (first index 1) of one entry per item, and atomic true or false', operation),
            jsonb_build_object('argument', 'arrays', 'wallet_ids', wallets._batch_length(wallet_ids),
                               'amounts', wallets._batch_length(amounts), 'others', to_jsonb(optional_lengths)));
    END IF;
    RETURN size;
END
$$;

COMMENT ON FUNCTION wallets._check_batch(text, bigint[], bigint[], integer[], boolean) IS 'Internal: check that the arrays of a batch line up; returns its size.';
REVOKE ALL ON FUNCTION wallets._check_batch(text, bigint[], bigint[], integer[], boolean) FROM PUBLIC;
