-- Lower bound of hold_capture: the least any implementation must do (bench.hold_bound and
-- bench.capture_bound in bench/setup.sql), as two transactions like hold_capture.sql.
\set id random(:lo, :hi)
SELECT bench.hold_bound(:id, 1) AS hold_id \gset
SELECT bench.capture_bound(:hold_id);
