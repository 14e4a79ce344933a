-- Ends the revert of `row_rules`: the constraints as they were, calling the functions the
-- earlier copies above restored.
ALTER TABLE wallets.wallets
    ADD CONSTRAINT wallets_rules CHECK (wallets._wallet_is_sound(allow_negative, ledger_balance, debt, held));
ALTER TABLE wallets.transactions
    ADD CONSTRAINT transactions_entry_rules
        CHECK (wallets._entry_is_sound(amount, priority, expires_at, balance_before, balance_after));
ALTER TABLE wallets.bucket_state ADD CONSTRAINT bucket_state_rules CHECK (wallets._bucket_is_sound(remaining, held));
ALTER TABLE wallets.transfers
    ADD CONSTRAINT transfers_rules
        CHECK (wallets._transfer_is_sound(from_wallet_id, to_wallet_id, amount, expiration_policy, expires_at));
ALTER TABLE wallets.holds ADD CONSTRAINT holds_rules CHECK (wallets._hold_is_sound(amount, status, captured_amount, closed_at));
