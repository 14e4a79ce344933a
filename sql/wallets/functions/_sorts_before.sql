-- Whether one bucket's place in draw-down order (priority, expiry with never last, id) comes
-- before another's, e.g. a wallet's draw_from key. Inlined by the planner wherever it is used.
-- The draw-down scans (_draw_down, debit_many) spell the comparison out, so that it visibly
-- matches the index bucket_state_draw_down.
CREATE OR REPLACE FUNCTION wallets._sorts_before(priority integer, expires_at timestamptz, transaction_id bigint,
                                                 than_priority integer, than_expires_at timestamptz, than_transaction_id bigint)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
    SELECT (priority, coalesce(expires_at, 'infinity'::timestamptz), transaction_id)
           < (than_priority, coalesce(than_expires_at, 'infinity'::timestamptz), than_transaction_id)
$$;

COMMENT ON FUNCTION wallets._sorts_before(integer, timestamptz, bigint, integer, timestamptz, bigint) IS
'Internal: whether a bucket''s draw-down key sorts before another (NULL expiry: never, last).';
REVOKE ALL ON FUNCTION wallets._sorts_before(integer, timestamptz, bigint, integer, timestamptz, bigint) FROM PUBLIC;
