-- The length of an array given to a batch call: NULL when absent, -1 unless it is a plain list
-- (one dimension, first index 1), so misaligned arrays are refused rather than misread.
CREATE OR REPLACE FUNCTION wallets._batch_length(list anyarray)
RETURNS integer
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE
        WHEN list IS NULL THEN NULL
        WHEN cardinality(list) = 0 THEN 0
        WHEN array_ndims(list) = 1 AND array_lower(list, 1) = 1 THEN cardinality(list)
        ELSE -1
    END
$$;

COMMENT ON FUNCTION wallets._batch_length(anyarray) IS 'Internal: length of a batch argument, -1 when it is not a one-dimensional array starting at 1.';
REVOKE ALL ON FUNCTION wallets._batch_length(anyarray) FROM PUBLIC;
