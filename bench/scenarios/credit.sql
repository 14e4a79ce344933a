-- wallets.credit of 1 (a new bucket, no expiry) to a wallet in lo..hi.
\set w random(:lo, :hi)
SELECT id FROM wallets.credit(:w, 1);
