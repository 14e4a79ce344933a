-- Undoes `lean_capture`; the earlier copies of the functions it replaced follow.
DROP FUNCTION wallets._lock_hold(bigint, timestamptz);
DROP FUNCTION wallets._entry_fault(bigint, text, jsonb);
DROP FUNCTION wallets._debit_fault(bigint, bigint, boolean, bigint);
DROP FUNCTION wallets._sweep_is_due(timestamptz, timestamptz);
