-- Floor of hold_capture in the ledger's own tables: the rows a hold and its capture write, into
-- wallets.* with its indexes and CHECK functions, by plain statements (bench.hold_ledger_rows and
-- bench.capture_ledger_rows in bench/setup.sql), as two transactions like hold_capture.sql.
\set id random(:lo, :hi)
SELECT bench.hold_ledger_rows(:id, 1) AS hold_id \gset
SELECT bench.capture_ledger_rows(:hold_id);
