-- Undoes `update_rules`: the triggers and their functions go; the retired rule functions and
-- CHECK constraints of wallets, bucket_state and holds come back as `insert_rules` deployed them
-- (scripts/sqitch-change writes their last copies after this preamble).
DROP TRIGGER wallets_rules ON wallets.wallets;
DROP TRIGGER bucket_state_rules ON wallets.bucket_state;
DROP TRIGGER holds_rules ON wallets.holds;
DROP FUNCTION wallets._check_wallet_rules();
DROP FUNCTION wallets._check_bucket_rules();
DROP FUNCTION wallets._check_hold_rules();
