-- Positive amount, known status, captured amount, closed_at: one call of wallets._hold_is_sound
-- with the whole row (_hold_is_sound.sql says why).
-- Added after the table and the function, which takes the table's row type.
ALTER TABLE wallets.holds ADD CONSTRAINT holds_rules CHECK (wallets._hold_is_sound(holds));
