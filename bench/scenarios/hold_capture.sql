-- wallets.hold of 1, then wallets.capture of that hold: one pgbench transaction of two
-- statements (each its own database transaction, as an application would run them).
\set w random(:lo, :hi)
SELECT id AS hold_id FROM wallets.hold(:w, 1) \gset
SELECT id FROM wallets.capture(:hold_id);
