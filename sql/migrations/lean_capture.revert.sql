-- Undoes `lean_capture`; the earlier copies of the functions it replaced follow.
DROP FUNCTION wallets._lock_hold(bigint, timestamptz);
