-- Non-zero amount, balance chain, priority on credits only, expiry on credits only: one call of
-- wallets._entry_is_sound with the whole row (_entry_is_sound.sql says why).
-- Added after the table and the function, which takes the table's row type.
ALTER TABLE wallets.transactions ADD CONSTRAINT transactions_entry_rules CHECK (wallets._entry_is_sound(transactions));
