-- Idempotency: given the entry a key already posted, the problem when the new call's arguments
-- differ from it (a key never gets a second meaning), else NULL: the call is a replay.
CREATE OR REPLACE FUNCTION wallets._replay_problem(original wallets.transactions, amount bigint, category text,
                                                   expires_at timestamptz, priority integer, metadata jsonb)
RETURNS jsonb
LANGUAGE sql
STABLE
AS $$
    SELECT CASE WHEN (original.amount, original.category, original.expires_at, original.priority, original.metadata)
                     IS DISTINCT FROM (amount, category, expires_at, priority, metadata) THEN
        pg_catalog.jsonb_build_object('code', 'WL006',
            'message', pg_catalog.format('idempotency key %L on wallet %s was used by transaction %s with other arguments',
                                         original.idempotency_key, original.wallet_id, original.id),
            'facts', pg_catalog.jsonb_build_object('wallet_id', original.wallet_id, 'idempotency_key', original.idempotency_key,
                                                   'transaction_id', original.id))
    END
$$;

COMMENT ON FUNCTION wallets._replay_problem(wallets.transactions, bigint, text, timestamptz, integer, jsonb) IS
'Internal: WL006 when a replayed key comes with other arguments, else NULL.';
REVOKE ALL ON FUNCTION wallets._replay_problem(wallets.transactions, bigint, text, timestamptz, integer, jsonb) FROM PUBLIC;
