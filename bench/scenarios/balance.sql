-- wallets.balance of a wallet in lo..hi (a read).
\set w random(:lo, :hi)
SELECT wallets.balance(:w);
