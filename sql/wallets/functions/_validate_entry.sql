-- Checks what every credit and debit receives before anything is locked or written.
CREATE OR REPLACE FUNCTION wallets._validate_entry(wallet_id bigint, amount bigint, category text, metadata jsonb)
RETURNS void
LANGUAGE sql
AS $$
    SELECT wallets._raise(wallets._entry_problem(wallet_id, amount, category, metadata))
$$;

COMMENT ON FUNCTION wallets._validate_entry(bigint, bigint, text, jsonb) IS 'Internal: validate amount, category and metadata of a ledger write.';
REVOKE ALL ON FUNCTION wallets._validate_entry(bigint, bigint, text, jsonb) FROM PUBLIC;
