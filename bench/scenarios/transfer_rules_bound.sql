-- Lower bound of transfer under the ledger's lock protocol: transfer_bound after the argument
-- rules, both wallets' advisory locks and the read of both rows (bench.transfer_rules_bound in
-- bench/setup.sql), between wallets picked as transfer.sql picks them.
\set from random(:lo, :hi)
\set to :to_lo + (abs(:from - :to_lo) + random(1, :to_n - 1)) % :to_n
SELECT bench.transfer_rules_bound(:from, :to, 1);
