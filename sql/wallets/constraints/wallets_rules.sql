-- No negative balance unless allow_negative, debt and held not negative: one call of
-- wallets._wallet_is_sound with the whole row (_wallet_is_sound.sql says why).
-- Added after the table and the function, which takes the table's row type.
ALTER TABLE wallets.wallets ADD CONSTRAINT wallets_rules CHECK (wallets._wallet_is_sound(wallets));
