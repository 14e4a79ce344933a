-- Floor of transfer in the ledger's own tables: the rows a transfer writes, into wallets.* with
-- its indexes and CHECK functions, by plain statements (bench.transfer_ledger_rows in
-- bench/setup.sql), between wallets picked as transfer.sql picks them.
\set from random(:lo, :hi)
\set to :to_lo + (abs(:from - :to_lo) + random(1, :to_n - 1)) % :to_n
SELECT bench.transfer_ledger_rows(:from, :to, 1);
