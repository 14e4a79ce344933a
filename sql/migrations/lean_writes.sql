-- Brings the write paths to `lean_writes` (profiled hold + capture; see issue 4's note):
-- _lock_hold now returns the wallet's row with the hold, a new result type under the same
-- argument list, which CREATE OR REPLACE cannot change.
DROP FUNCTION wallets._lock_hold(bigint, timestamptz);

-- One CHECK function per table for wallets and bucket_state (_wallet_is_sound.sql,
-- _bucket_is_sound.sql), which every write updates: ADD CONSTRAINT checks the existing rows.
ALTER TABLE wallets.wallets
    DROP CONSTRAINT wallets_check,
    DROP CONSTRAINT wallets_debt_check,
    DROP CONSTRAINT wallets_held_check,
    ADD CONSTRAINT wallets_rules CHECK (wallets._wallet_is_sound(allow_negative, ledger_balance, debt, held));
ALTER TABLE wallets.bucket_state
    DROP CONSTRAINT bucket_state_remaining_check,
    DROP CONSTRAINT bucket_state_held_check,
    ADD CONSTRAINT bucket_state_rules CHECK (wallets._bucket_is_sound(remaining, held));
