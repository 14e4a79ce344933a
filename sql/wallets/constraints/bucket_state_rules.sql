-- remaining and held not negative, open exactly when remaining is positive: one call of
-- wallets._bucket_is_sound with the whole row (_bucket_is_sound.sql says why).
-- Added after the table and the function, which takes the table's row type.
ALTER TABLE wallets.bucket_state ADD CONSTRAINT bucket_state_rules CHECK (wallets._bucket_is_sound(bucket_state));
