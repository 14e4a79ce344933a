-- Brings the hold functions to `lean_capture` (profiled hold + capture; see issue 4's note):
-- _lock_hold now returns the wallet's row with the hold, a new result type under the same
-- argument list, which CREATE OR REPLACE cannot change.
DROP FUNCTION wallets._lock_hold(bigint, timestamptz);
