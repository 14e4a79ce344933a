-- Undoes `batches`; the earlier copies of the functions it replaced follow.
DROP FUNCTION wallets.credit_many(bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean);
DROP FUNCTION wallets.debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean);
DROP FUNCTION wallets._apply_many(text, bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean);
DROP FUNCTION wallets._apply_one(text, bigint, bigint, text, timestamptz, jsonb, text, integer);
