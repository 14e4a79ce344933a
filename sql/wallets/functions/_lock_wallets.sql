-- Locks every wallet of a batch up front, in ascending id order like every multi-wallet lock,
-- so batches never deadlock with each other or with single writes.
CREATE OR REPLACE FUNCTION wallets._lock_wallets(wallet_ids bigint[])
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    locked_id bigint;
BEGIN
    FOR locked_id IN SELECT DISTINCT id FROM unnest(wallet_ids) AS id WHERE id IS NOT NULL ORDER BY id LOOP
        PERFORM pg_catalog.pg_advisory_xact_lock(wallets._lock_key(locked_id));
    END LOOP;
END
$$;

COMMENT ON FUNCTION wallets._lock_wallets(bigint[]) IS 'Internal: lock the wallets of a batch in ascending id order.';
REVOKE ALL ON FUNCTION wallets._lock_wallets(bigint[]) FROM PUBLIC;
