-- wallets.debit of 1 with an idempotency key, unique per transaction: the run number (-D run),
-- the client and a per-client counter (pgbench variables persist across a client's
-- transactions; a retry takes the next number). Compare with debit.sql (no key).
\set w random(:lo, :hi)
\set seq :seq + 1
SELECT id FROM wallets.debit(:w, 1, 'debit', '{}', 'bench-' || :run::bigint || '-' || :client_id::integer || '-' || :seq::bigint);
