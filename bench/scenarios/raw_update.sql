-- Baseline 1: a raw single-row UPDATE of a balance, on rows lo..hi of bench.raw_accounts
-- (uniform: 10,000 rows; hot: one row).
\set id random(:lo, :hi)
UPDATE bench.raw_accounts SET balance = balance + 1 WHERE id = :id;
