-- wallets.debit_many with :items debits of 1 from one wallet in lo..hi (the hot wallet) per call.
-- Every item must post: a refused item makes the division fail, which aborts the client and
-- fails the run instead of counting it as done.
\set w random(:lo, :hi)
SELECT 1 / (count(*) FILTER (WHERE error_code IS NULL) = :items)::integer
FROM wallets.debit_many(array_fill(:w::bigint, ARRAY[:items::integer]), array_fill(1::bigint, ARRAY[:items::integer]));
