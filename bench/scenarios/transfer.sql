-- wallets.transfer of 1 from a wallet in lo..hi to another wallet in to_lo .. to_lo + to_n - 1
-- (uniform: both ends in the same 10,000 wallets, never the same wallet; hot: from the hot
-- wallet, which lies outside that range, to any of them).
\set from random(:lo, :hi)
\set to :to_lo + (abs(:from - :to_lo) + random(1, :to_n - 1)) % :to_n
SELECT id FROM wallets.transfer(:from, :to, 1);
