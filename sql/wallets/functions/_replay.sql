-- Idempotency: the entry already posted on this wallet under this key, or NULL. A key reused
-- with other arguments is an error rather than a silent second meaning.
CREATE OR REPLACE FUNCTION wallets._replay(wallet_id bigint, idempotency_key text, amount bigint, category text,
                                expires_at timestamptz, priority integer, metadata jsonb)
RETURNS wallets.transactions
LANGUAGE plpgsql
AS $$
DECLARE
    original wallets.transactions;
BEGIN
    SELECT * INTO original FROM wallets.transactions t
    WHERE t.wallet_id = _replay.wallet_id AND t.idempotency_key = _replay.idempotency_key;
    IF FOUND THEN
        PERFORM wallets._raise(wallets._replay_problem(original, amount, category, expires_at, priority, metadata));
    END IF;
    RETURN original;
END
$$;

COMMENT ON FUNCTION wallets._replay(bigint, text, bigint, text, timestamptz, integer, jsonb) IS 'Internal: find the entry an idempotency key already posted, or fail on mismatched arguments.';
REVOKE ALL ON FUNCTION wallets._replay(bigint, text, bigint, text, timestamptz, integer, jsonb) FROM PUBLIC;
