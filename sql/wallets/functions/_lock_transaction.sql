-- Locks the wallet of a transaction given by id alone and returns the transaction.
CREATE OR REPLACE FUNCTION wallets._lock_transaction(transaction_id bigint)
RETURNS wallets.transactions
LANGUAGE plpgsql
AS $$
DECLARE
    entry wallets.transactions;
BEGIN
    SELECT * INTO entry FROM wallets.transactions t WHERE t.id = _lock_transaction.transaction_id;
    IF NOT FOUND THEN
        PERFORM wallets._fail('WL012', format('transaction %s does not exist', coalesce(_lock_transaction.transaction_id::text, 'NULL')),
                              jsonb_build_object('argument', 'transaction_id', 'value', _lock_transaction.transaction_id));
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(wallets._lock_key(entry.wallet_id));  -- it exists: it has an entry
    RETURN entry;  -- ledger rows never change, so the row read before the lock is current
END
$$;

COMMENT ON FUNCTION wallets._lock_transaction(bigint) IS 'Internal: lock the wallet of a transaction and return the transaction.';
REVOKE ALL ON FUNCTION wallets._lock_transaction(bigint) FROM PUBLIC;
