-- Checks what every credit and debit receives before anything is locked or written.
CREATE OR REPLACE FUNCTION wallets._validate_entry(wallet_id bigint, amount bigint, category text, metadata jsonb)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF amount IS NULL OR amount <= 0 THEN
        PERFORM wallets._fail('WL003', pg_catalog.format('wallet %s: amount must be a positive whole number, got %s', wallet_id, coalesce(amount::text, 'NULL')),
                              pg_catalog.jsonb_build_object('wallet_id', wallet_id, 'amount', amount));
    END IF;
    IF category IS NULL OR category !~ '^[a-z][a-z0-9_]{0,63}$' THEN
        PERFORM wallets._fail('WL012', pg_catalog.format('wallet %s: category %L must match ^[a-z][a-z0-9_]{0,63}$', wallet_id, category),
                              pg_catalog.jsonb_build_object('wallet_id', wallet_id, 'argument', 'category', 'value', category));
    END IF;
    -- The ledger's own entries keep categories no caller can forge.
    IF category IN ('expiration', 'transfer_in', 'transfer_out', 'void', 'expiry_change', 'reversal') THEN
        PERFORM wallets._fail('WL012', pg_catalog.format('wallet %s: category %L is reserved for the ledger', wallet_id, category),
                              pg_catalog.jsonb_build_object('wallet_id', wallet_id, 'argument', 'category', 'value', category));
    END IF;
    IF metadata IS NOT NULL AND pg_catalog.jsonb_typeof(metadata) <> 'object' THEN
        PERFORM wallets._fail('WL012', pg_catalog.format('wallet %s: metadata must be a JSON object', wallet_id),
                              pg_catalog.jsonb_build_object('wallet_id', wallet_id, 'argument', 'metadata', 'value', metadata));
    END IF;
END
$$;

COMMENT ON FUNCTION wallets._validate_entry(bigint, bigint, text, jsonb) IS 'Internal: validate amount, category and metadata of a ledger write.';
REVOKE ALL ON FUNCTION wallets._validate_entry(bigint, bigint, text, jsonb) FROM PUBLIC;
