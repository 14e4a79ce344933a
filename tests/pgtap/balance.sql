-- wallets.balance(wallet_id): the spendable balance at wallets.now().
BEGIN;
SELECT plan(24);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_function('wallets', 'balance', ARRAY['bigint'], 'balance(bigint) exists');
SELECT function_returns('wallets', 'balance', ARRAY['bigint'], 'bigint', 'balance returns bigint');
SELECT volatility_is('wallets', 'balance', ARRAY['bigint'], 'stable', 'balance is STABLE (a read)');

SELECT id AS w FROM wallets.open_wallet('bal-alice') \gset
SELECT id AS other FROM wallets.open_wallet('bal-bob') \gset
SELECT is(wallets.balance(:w), 0::bigint, 'a new wallet has balance 0');

SELECT lives_ok(format('SELECT wallets.credit(%s, 100)', :w), 'credit 100');
SELECT lives_ok(format('SELECT wallets.credit(%s, 40, expires_at => %L)', :w, '2030-01-05 00:00:00Z'), 'credit 40 expiring 2030-01-05');
SELECT lives_ok(format('SELECT wallets.credit(%s, 7, expires_at => %L)', :w, '2030-01-03 00:00:00Z'), 'credit 7 expiring 2030-01-03');
SELECT is(wallets.balance(:w), 147::bigint, 'balance is the sum of the live buckets');
SELECT lives_ok(format('SELECT wallets.debit(%s, 5)', :w), 'debit 5 (from the 7 expiring first)');
SELECT is(wallets.balance(:w), 142::bigint, 'balance 142');
SELECT is(wallets.balance(:other), 0::bigint, 'another wallet is unaffected');

-- Time passes; nothing is swept, the balance follows the clock alone.
SET LOCAL wallets.clock = '2030-01-03 00:00:00Z';
SELECT is(wallets.balance(:w), 140::bigint, 'the 2 left of the 7 stop counting at their expiry');
SET LOCAL wallets.clock = '2030-01-04 23:59:59.999999Z';
SELECT is(wallets.balance(:w), 140::bigint, 'the 40 count until their last microsecond');
SET LOCAL wallets.clock = '2030-01-05 00:00:00Z';
SELECT is(wallets.balance(:w), 100::bigint, 'then only the never-expiring 100');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :w), 4::bigint, 'balance() posted no expiration');
SELECT is((SELECT ledger_balance FROM wallets.wallets WHERE id = :w), 142::bigint, 'nor touched the cache');
SET LOCAL wallets.clock = '2030-01-02 00:00:00Z';
SELECT is(wallets.balance(:w), 142::bigint, 'with the clock back, the unswept buckets count again');
SET LOCAL wallets.clock = '2030-01-06 00:00:00Z';

-- balance() equals the live bucket remainders minus debt.
SELECT is(wallets.balance(:w), (SELECT sum(remaining)::bigint FROM wallets.buckets WHERE wallet_id = :w AND status = 'active'),
          'balance = remainders of the active buckets');

-- Credits reserved by a hold are not part of the balance, until the hold lapses.
SELECT lives_ok(format('SELECT wallets.hold(%s, 30, %L)', :w, '2030-01-07 00:00:00Z'), 'hold 30 until 2030-01-07');
SELECT is(wallets.balance(:w), 70::bigint, 'balance 70: the held 30 are not available');
SELECT is(wallets.balance(:w), (SELECT available FROM wallets.balances WHERE wallet_id = :w), 'balance() is the available column of wallets.balances');
SET LOCAL wallets.clock = '2030-01-07 00:00:00Z';
SELECT is(wallets.balance(:w), 100::bigint, 'at the hold''s expiry they count again, before any sweep');

SELECT throws_ok('SELECT wallets.balance(-1)', 'WL002', 'wallet -1 does not exist', 'an unknown wallet is WL002');
SELECT throws_ok('SELECT wallets.balance(NULL)', 'WL002', 'wallet NULL does not exist', 'wallet NULL is WL002');

SELECT * FROM finish();
ROLLBACK;
