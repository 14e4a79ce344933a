-- Checks what every credit and debit receives before anything is locked or written.
CREATE FUNCTION wallets._validate_entry(amount bigint, category text, metadata jsonb)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF amount IS NULL OR amount <= 0 THEN
        PERFORM wallets._fail('WL003', pg_catalog.format('amount must be a positive whole number, got %s', coalesce(amount::text, 'NULL')),
                              pg_catalog.jsonb_build_object('amount', amount));
    END IF;
    IF category IS NULL OR category !~ '^[a-z][a-z0-9_]{0,63}$' THEN
        PERFORM wallets._fail('WL012', pg_catalog.format('category %L must match ^[a-z][a-z0-9_]{0,63}$', category),
                              pg_catalog.jsonb_build_object('argument', 'category', 'value', category));
    END IF;
    IF category = 'expiration' THEN
        PERFORM wallets._fail('WL012', 'category ''expiration'' is reserved for the ledger',
                              pg_catalog.jsonb_build_object('argument', 'category', 'value', category));
    END IF;
    IF metadata IS NOT NULL AND pg_catalog.jsonb_typeof(metadata) <> 'object' THEN
        PERFORM wallets._fail('WL012', 'metadata must be a JSON object',
                              pg_catalog.jsonb_build_object('argument', 'metadata', 'value', metadata));
    END IF;
END
$$;

COMMENT ON FUNCTION wallets._validate_entry(bigint, text, jsonb) IS 'Internal: validate amount, category and metadata of a ledger write.';
REVOKE ALL ON FUNCTION wallets._validate_entry(bigint, text, jsonb) FROM PUBLIC;
