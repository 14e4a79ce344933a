-- Lower bound of debit_3_buckets: bench.debit_bound (bench/setup.sql) of 3 from a wallet in
-- lo..hi holding only buckets of 1, topped up before each run as debit_3_buckets is.
\set w random(:lo, :hi)
SELECT bench.debit_bound(:w, 3);
