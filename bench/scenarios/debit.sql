-- wallets.debit of 1 from a wallet in lo..hi whose first bucket in draw-down order covers it
-- (scenarios debit and debit_buckets; the loader gives every wallet a large bucket).
\set w random(:lo, :hi)
SELECT id FROM wallets.debit(:w, 1);
