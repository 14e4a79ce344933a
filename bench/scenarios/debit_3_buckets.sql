-- wallets.debit of 3 from a wallet in lo..hi holding only buckets of 1: every debit empties
-- 3 buckets (3 allocations). The harness tops the wallets up before each run, sized from the
-- single-bucket debit rate of the same run, so they never run dry.
\set w random(:lo, :hi)
SELECT id FROM wallets.debit(:w, 3);
