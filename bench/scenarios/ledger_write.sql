-- Baseline 2: a minimal ledger write, one UPDATE plus one INSERT in a plain SQL function
-- (bench.ledger_write in bench/setup.sql), on rows lo..hi of bench.accounts.
\set id random(:lo, :hi)
SELECT bench.ledger_write(:id, 1);
