-- Brings the tables to `fast_paths` (profiled with auto_explain and perf; see issue 4's note):
-- - holds and transfers lose their foreign keys to wallets, as transactions did in `batches`:
--   a referenced wallets row made every balance UPDATE run the RI triggers' checks;
-- - the CHECKs on owner, asset and metadata of wallets, which PostgreSQL evaluated (a regular
--   expression, a jsonb_typeof) on every balance UPDATE, become the trigger wallets_identity;
-- - the CHECKs of transactions, holds and transfers become one call each of _entry_is_sound,
--   _hold_is_sound and _transfer_is_sound.
ALTER TABLE wallets.holds DROP CONSTRAINT holds_wallet_id_fkey;
ALTER TABLE wallets.transfers DROP CONSTRAINT transfers_from_wallet_id_fkey, DROP CONSTRAINT transfers_to_wallet_id_fkey;

ALTER TABLE wallets.wallets
    DROP CONSTRAINT wallets_owner_check,
    DROP CONSTRAINT wallets_asset_check,
    DROP CONSTRAINT wallets_metadata_check;

ALTER TABLE wallets.transactions
    DROP CONSTRAINT transactions_amount_check,
    DROP CONSTRAINT transactions_priority_check,
    DROP CONSTRAINT transactions_check,
    DROP CONSTRAINT transactions_check1,
    DROP CONSTRAINT transactions_check2,
    ADD CONSTRAINT transactions_entry_rules
        CHECK (wallets._entry_is_sound(amount, priority, expires_at, balance_before, balance_after));

-- Callers check entries with _entry_problem in a PL/pgSQL assignment instead.
ALTER TABLE wallets.holds
    DROP CONSTRAINT holds_amount_check,
    DROP CONSTRAINT holds_status_check,
    DROP CONSTRAINT holds_captured_amount,
    DROP CONSTRAINT holds_closed_at,
    ADD CONSTRAINT holds_rules CHECK (wallets._hold_is_sound(amount, status, captured_amount, closed_at));

ALTER TABLE wallets.transfers
    DROP CONSTRAINT transfers_amount_check,
    DROP CONSTRAINT transfers_expiration_policy_check,
    DROP CONSTRAINT transfers_distinct_wallets,
    DROP CONSTRAINT transfers_fixed_expiry,
    ADD CONSTRAINT transfers_rules
        CHECK (wallets._transfer_is_sound(from_wallet_id, to_wallet_id, amount, expiration_policy, expires_at));

DROP FUNCTION wallets._validate_entry(bigint, bigint, text, jsonb);
