-- Floor of hold_capture: the rows a hold and its capture write, in plain SQL (bench.hold_rows and
-- bench.capture_rows in bench/setup.sql), as two transactions like hold_capture.sql.
\set id random(:lo, :hi)
SELECT bench.hold_rows(:id, 1) AS hold_id \gset
SELECT bench.capture_rows(:hold_id);
