-- Brings transactions and transfers to `insert_rules`: their rules move from CHECK constraints
-- to BEFORE INSERT row triggers (both tables are append-only; _check_entry_rules.sql says why).
-- The constraints go first, then the functions they called; the trigger functions and triggers
-- follow from their files.
ALTER TABLE wallets.transactions DROP CONSTRAINT transactions_entry_rules;
ALTER TABLE wallets.transfers DROP CONSTRAINT transfers_rules;
DROP FUNCTION wallets._entry_is_sound(wallets.transactions);
DROP FUNCTION wallets._transfer_is_sound(wallets.transfers);
