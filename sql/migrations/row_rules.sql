-- Brings the tables to `row_rules` (issue 4's note has the measurements):
-- - each table's CHECK calls its rule function with the whole row, one column reference for
--   PostgreSQL to parse again at every statement where there were up to five;
-- - wallets.bucket_state.open becomes a plain column its writers set, which _bucket_is_sound
--   holds to remaining > 0: a generated column's expression was parsed again at every statement.
-- The old constraints go first, then the functions they call; the new functions and constraints
-- follow from their files.
ALTER TABLE wallets.wallets DROP CONSTRAINT wallets_rules;
ALTER TABLE wallets.transactions DROP CONSTRAINT transactions_entry_rules;
ALTER TABLE wallets.bucket_state
    DROP CONSTRAINT bucket_state_rules,
    ALTER COLUMN open DROP EXPRESSION,
    ALTER COLUMN open SET NOT NULL;
ALTER TABLE wallets.transfers DROP CONSTRAINT transfers_rules;
ALTER TABLE wallets.holds DROP CONSTRAINT holds_rules;
DROP FUNCTION wallets._wallet_is_sound(boolean, bigint, bigint, bigint);
DROP FUNCTION wallets._entry_is_sound(bigint, integer, timestamptz, bigint, bigint);
DROP FUNCTION wallets._bucket_is_sound(bigint, bigint);
DROP FUNCTION wallets._transfer_is_sound(bigint, bigint, bigint, text, timestamptz);
DROP FUNCTION wallets._hold_is_sound(bigint, text, bigint, timestamptz);
