-- Undoes `lean_writes`; the earlier copies of the functions it replaced follow.
DROP FUNCTION wallets._lock_hold(bigint, timestamptz);
DROP FUNCTION wallets._entry_fault(bigint, text, jsonb);
DROP FUNCTION wallets._debit_fault(bigint, bigint, boolean, bigint);
DROP FUNCTION wallets._sweep_is_due(timestamptz, timestamptz);

ALTER TABLE wallets.wallets
    DROP CONSTRAINT wallets_rules,
    ADD CONSTRAINT wallets_debt_check CHECK (debt >= 0),
    ADD CONSTRAINT wallets_held_check CHECK (held >= 0),
    ADD CONSTRAINT wallets_check CHECK (allow_negative OR ledger_balance >= 0);
ALTER TABLE wallets.bucket_state
    DROP CONSTRAINT bucket_state_rules,
    ADD CONSTRAINT bucket_state_remaining_check CHECK (remaining >= 0),
    ADD CONSTRAINT bucket_state_held_check CHECK (held >= 0);
DROP FUNCTION wallets._wallet_is_sound(boolean, bigint, bigint, bigint);
DROP FUNCTION wallets._bucket_is_sound(bigint, bigint);
