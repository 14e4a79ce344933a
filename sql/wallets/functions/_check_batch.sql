-- The arrays of a batch call line up: one entry per wallet_id in each array given.
CREATE OR REPLACE FUNCTION wallets._check_batch(operation text, wallet_ids bigint[], lengths integer[], atomic boolean)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    size integer := coalesce(cardinality(wallet_ids), 0);
BEGIN
    IF EXISTS (SELECT FROM unnest(lengths) AS given WHERE given IS DISTINCT FROM size) OR atomic IS NULL THEN
        PERFORM wallets._fail('WL012', format('%s: every array must have one entry per wallet_id (%s), and atomic is true or false', operation, size),
                              jsonb_build_object('argument', 'arrays', 'wallet_ids', size, 'lengths', to_jsonb(lengths)));
    END IF;
    RETURN size;
END
$$;

COMMENT ON FUNCTION wallets._check_batch(text, bigint[], integer[], boolean) IS 'Internal: check that the arrays of a batch line up; returns its size.';
REVOKE ALL ON FUNCTION wallets._check_batch(text, bigint[], integer[], boolean) FROM PUBLIC;
