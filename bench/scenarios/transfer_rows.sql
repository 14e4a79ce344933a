-- Floor of transfer: the rows a transfer writes, in plain SQL (bench.transfer_rows in
-- bench/setup.sql), between accounts picked as transfer.sql picks wallets (hot: from account 0).
\set from random(:lo, :hi)
\set to :to_lo + (abs(:from - :to_lo) + random(1, :to_n - 1)) % :to_n
SELECT bench.transfer_rows(:from, :to, 1);
