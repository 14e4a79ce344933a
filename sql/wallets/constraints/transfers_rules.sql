-- Positive amount, two wallets, known policy, expiry under fixed: one call of
-- wallets._transfer_is_sound with the whole row (_transfer_is_sound.sql says why).
-- Added after the table and the function, which takes the table's row type.
ALTER TABLE wallets.transfers ADD CONSTRAINT transfers_rules CHECK (wallets._transfer_is_sound(transfers));
