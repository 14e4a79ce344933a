-- Brings wallets, bucket_state and holds to `update_rules`: their rules move from CHECK
-- constraints to AFTER INSERT OR UPDATE row triggers (_check_wallet_rules.sql says why). The
-- constraints go first, then the functions they called; the trigger functions and triggers
-- follow from their files.
ALTER TABLE wallets.wallets DROP CONSTRAINT wallets_rules;
ALTER TABLE wallets.bucket_state DROP CONSTRAINT bucket_state_rules;
ALTER TABLE wallets.holds DROP CONSTRAINT holds_rules;
DROP FUNCTION wallets._wallet_is_sound(wallets.wallets);
DROP FUNCTION wallets._bucket_is_sound(wallets.bucket_state);
DROP FUNCTION wallets._hold_is_sound(wallets.holds);
