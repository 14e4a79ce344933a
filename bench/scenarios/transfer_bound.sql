-- Lower bound of transfer: the least any implementation must do (bench.transfer_bound in
-- bench/setup.sql: lock and read both balances, refuse an overdraft, write the rows), between
-- wallets picked as transfer.sql picks them.
\set from random(:lo, :hi)
\set to :to_lo + (abs(:from - :to_lo) + random(1, :to_n - 1)) % :to_n
SELECT bench.transfer_bound(:from, :to, 1);
