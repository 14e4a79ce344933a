-- Expiry: a bucket counts while expires_at > wallets.now(); expire_due() posts one 'expiration'
-- entry per due bucket with a remainder; any write sweeps its wallet first.
-- expire_due() works across all wallets: these counts assume a freshly deployed database.
BEGIN;
SELECT plan(61);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_function('wallets', 'expire_due', ARRAY['integer'], 'expire_due(integer) exists');
SELECT function_returns('wallets', 'expire_due', ARRAY['integer'], 'bigint', 'expire_due returns bigint');
SELECT is(wallets.expire_due(), 0::bigint, 'nothing is due on an empty ledger');

SELECT id AS w FROM wallets.open_wallet('ex-alice') \gset
SELECT id AS b FROM wallets.credit(:w, 100, expires_at => '2030-01-11 00:00:00Z') \gset
SELECT id AS keep FROM wallets.credit(:w, 50) \gset

-- Boundaries.
SET LOCAL wallets.clock = '2030-01-10 23:59:59.999999Z';
SELECT is(wallets.balance(:w), 150::bigint, 'one microsecond before expires_at the bucket counts');
SELECT is((SELECT status FROM wallets.buckets WHERE transaction_id = :b), 'active', '... and is active');
SELECT is(wallets.expire_due(), 0::bigint, '... and is not due');

SET LOCAL wallets.clock = '2030-01-11 00:00:00Z';
SELECT is(wallets.balance(:w), 50::bigint, 'at expires_at it no longer counts, before any sweep');
SELECT is((SELECT status FROM wallets.buckets WHERE transaction_id = :b), 'expired', '... and shows as expired');
SELECT is((SELECT remaining FROM wallets.buckets WHERE transaction_id = :b), 100::bigint, '... with its remainder not yet swept');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :w), 2::bigint, 'balance() and the view post nothing');
SELECT is((SELECT ledger_balance FROM wallets.wallets WHERE id = :w), 150::bigint, 'the ledger balance still includes the unswept bucket');

SET LOCAL wallets.clock = '2030-01-12 00:00:00Z';
SELECT is(wallets.balance(:w), 50::bigint, 'after expires_at it does not count');
SELECT is((SELECT status FROM wallets.buckets WHERE transaction_id = :b), 'expired', '... and is expired');

-- The sweep.
SELECT is(wallets.expire_due(), 1::bigint, 'expire_due expires one bucket');
SELECT results_eq(
    format($$SELECT amount, category, balance_before, balance_after, created_at, expires_at, priority, metadata, idempotency_key
             FROM wallets.transactions WHERE wallet_id = %s AND id > %s ORDER BY id$$, :w, :keep),
    $$VALUES (-100::bigint, 'expiration', 150::bigint, 50::bigint, '2030-01-12 00:00:00Z'::timestamptz, NULL::timestamptz, NULL::integer, '{}'::jsonb, NULL::text)$$,
    'one expiration entry: the remainder, negative, posted at wallets.now()');
SELECT id AS x FROM wallets.transactions WHERE wallet_id = :w AND category = 'expiration' \gset
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s', :x),
                  format('VALUES (%s::bigint, 100::bigint)', :b), 'allocated against that bucket');
SELECT results_eq(format('SELECT remaining, expired FROM wallets.bucket_state WHERE transaction_id = %s', :b),
                  'VALUES (0::bigint, true)', 'the bucket is emptied and flagged expired');
SELECT is((SELECT status FROM wallets.buckets WHERE transaction_id = :b), 'expired', 'the view still shows it expired');
SELECT is(wallets.balance(:w), 50::bigint, 'the balance is unchanged by the sweep');
SELECT results_eq(format('SELECT ledger_balance, expiry_floor FROM wallets.wallets WHERE id = %s', :w),
                  'VALUES (50::bigint, NULL::timestamptz)', 'the caches follow: ledger_balance 50, no expiry floor left');
SELECT is(wallets.expire_due(), 0::bigint, 'a second sweep finds nothing');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :w AND category = 'expiration'), 1::bigint, 'still one expiration entry');

-- Expiry on credit: expires_at must be after now.
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, expires_at => %L)', :w, '2030-01-12 00:00:00Z'), 'WL005', NULL, 'expires_at = now is WL005');
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, expires_at => %L)', :w, '2030-01-11 00:00:00Z'), 'WL005', NULL, 'expires_at < now is WL005');
SELECT lives_ok(format('SELECT wallets.credit(%s, 1, expires_at => %L)', :w, '2030-01-12 00:00:00.000001Z'), 'expires_at one microsecond later is accepted');

-- A bucket spent before its expiry is not expired: no entry, status spent.
SELECT id AS w FROM wallets.open_wallet('ex-spent') \gset
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';
SELECT id AS sb FROM wallets.credit(:w, 20, expires_at => '2030-01-02 00:00:00Z') \gset
SELECT id AS sd FROM wallets.debit(:w, 20) \gset
SET LOCAL wallets.clock = '2030-01-03 00:00:00Z';
SELECT is(wallets.expire_due(), 0::bigint, 'a spent bucket past its expiry is not swept');
SELECT is((SELECT status FROM wallets.buckets WHERE transaction_id = :sb), 'spent', 'it stays spent');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :w), 2::bigint, 'no expiration entry');

-- A partly spent bucket expires with its remainder only.
SELECT id AS w FROM wallets.open_wallet('ex-partial') \gset
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';
SELECT id AS pb FROM wallets.credit(:w, 30, expires_at => '2030-01-05 00:00:00Z') \gset
SELECT id AS pn FROM wallets.credit(:w, 20) \gset
SELECT id AS pd FROM wallets.debit(:w, 10) \gset
SET LOCAL wallets.clock = '2030-01-04 23:59:59.999999Z';
SELECT lives_ok(format('SELECT wallets.debit(%s, 1)', :w), 'one microsecond before expiry the bucket can still be spent');
SELECT results_eq(format('SELECT source_transaction_id FROM wallets.allocations WHERE wallet_id = %s AND transaction_id = (SELECT max(id) FROM wallets.transactions WHERE wallet_id = %s)', :w, :w),
                  format('VALUES (%s::bigint)', :pb), '... and is drawn from');
SET LOCAL wallets.clock = '2030-01-05 00:00:00Z';
SELECT is(wallets.balance(:w), 20::bigint, 'at expires_at only the never-expiring 20 count');
SELECT throws_ok(format('SELECT wallets.debit(%s, 21)', :w), 'WL001', format('wallet %s has 20 available, cannot debit 21', :w),
                 'at expires_at the expired remainder cannot be spent');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :w), 4::bigint, 'the refused debit left nothing, its sweep included');

-- A write sweeps its wallet first: the debit is preceded by the expiration entry.
SELECT id AS wd FROM wallets.debit(:w, 5) \gset
SELECT results_eq(
    format($$SELECT amount, category, balance_before, balance_after, created_at FROM wallets.transactions WHERE wallet_id = %s AND id > %s ORDER BY id$$, :w, :pd),
    $$VALUES (-1::bigint, 'debit', 40::bigint, 39::bigint, '2030-01-04 23:59:59.999999Z'::timestamptz),
             (-19::bigint, 'expiration', 39::bigint, 20::bigint, '2030-01-05 00:00:00Z'::timestamptz),
             (-5::bigint, 'debit', 20::bigint, 15::bigint, '2030-01-05 00:00:00Z'::timestamptz)$$,
    'the debit first posts the due expiration (the remainder 19), then itself from the live balance');
SELECT results_eq(
    format($$SELECT a.source_transaction_id, a.amount FROM wallets.allocations a JOIN wallets.transactions t ON t.wallet_id = a.wallet_id AND t.id = a.transaction_id
             WHERE a.wallet_id = %s AND t.category = 'expiration'$$, :w),
    format('VALUES (%s::bigint, 19::bigint)', :pb), 'the expiration is allocated against the expired bucket');
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s', :wd),
                  format('VALUES (%s::bigint, 5::bigint)', :pn), 'the debit draws from the live bucket only');
SELECT is((SELECT status FROM wallets.buckets WHERE transaction_id = :pb), 'expired', 'the partly spent bucket is expired');
SELECT is(wallets.expire_due(), 0::bigint, 'nothing left for expire_due');

-- A credit sweeps first too.
SELECT id AS w FROM wallets.open_wallet('ex-credit-sweeps') \gset
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';
SELECT id AS cb FROM wallets.credit(:w, 7, expires_at => '2030-01-02 00:00:00Z') \gset
SET LOCAL wallets.clock = '2030-01-02 00:00:00Z';
SELECT id AS cc FROM wallets.credit(:w, 3) \gset
SELECT results_eq(
    format('SELECT amount, category, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :w),
    $$VALUES (7::bigint, 'credit', 0::bigint, 7::bigint), (-7::bigint, 'expiration', 7::bigint, 0::bigint), (3::bigint, 'credit', 0::bigint, 3::bigint)$$,
    'a credit posts the due expiration before itself');
SELECT is(wallets.balance(:w), 3::bigint, 'balance 3');

-- The buckets view's status follows the clock.
SELECT id AS w FROM wallets.open_wallet('ex-view') \gset
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';
SELECT id AS vb FROM wallets.credit(:w, 1, expires_at => '2030-01-01 12:00:00Z') \gset
SELECT is((SELECT status FROM wallets.buckets WHERE transaction_id = :vb), 'active', 'status active before expiry');
SET LOCAL wallets.clock = '2030-01-01 12:00:00Z';
SELECT is((SELECT status FROM wallets.buckets WHERE transaction_id = :vb), 'expired', 'status expired at expiry');
SET LOCAL wallets.clock = '2030-01-01 11:00:00Z';
SELECT is((SELECT status FROM wallets.buckets WHERE transaction_id = :vb), 'active', 'status active again with the clock set back (nothing was swept)');

-- expire_due(batch_size): at most batch_size buckets, oldest expiry first across all wallets.
SET LOCAL wallets.clock = '2030-02-01 00:00:00Z';
SELECT is(wallets.expire_due(), 2::bigint, 'the sweep takes the two buckets left due above (ex-view''s, and ex-alice''s last credit)');
SELECT id AS w1 FROM wallets.open_wallet('ex-batch-1') \gset
SELECT id AS w2 FROM wallets.open_wallet('ex-batch-2') \gset
SELECT id AS k1 FROM wallets.credit(:w1, 1, expires_at => '2030-02-03 00:00:00Z') \gset
SELECT id AS k2 FROM wallets.credit(:w1, 2, expires_at => '2030-02-02 00:00:00Z') \gset
SELECT id AS k3 FROM wallets.credit(:w2, 4, expires_at => '2030-02-01 12:00:00Z') \gset
SELECT id AS k4 FROM wallets.credit(:w1, 8, expires_at => '2030-02-05 00:00:00Z') \gset
SELECT id AS k5 FROM wallets.credit(:w2, 16) \gset
SET LOCAL wallets.clock = '2030-03-01 00:00:00Z';
SELECT is((SELECT count(*) FROM wallets.bucket_state WHERE remaining > 0 AND expires_at <= wallets.now()), 4::bigint, 'four buckets are due');
SELECT is(wallets.expire_due(2), 2::bigint, 'expire_due(2) expires two');
SELECT set_eq(format('SELECT transaction_id FROM wallets.bucket_state WHERE expired AND transaction_id IN (%s, %s, %s, %s)', :k1, :k2, :k3, :k4),
              format('VALUES (%s::bigint), (%s::bigint)', :k3, :k2),
              'the two oldest: 2030-02-01 12:00 on ex-batch-2 and 2030-02-02 on ex-batch-1');
SELECT is(wallets.expire_due(1), 1::bigint, 'expire_due(1) expires one');
SELECT is((SELECT expired FROM wallets.bucket_state WHERE transaction_id = :k1), true, '... the next oldest, 2030-02-03');
SELECT is(wallets.expire_due(10), 1::bigint, 'expire_due(10) expires the last one');
SELECT is(wallets.expire_due(10), 0::bigint, 'then nothing is due');
SELECT results_eq(
    format('SELECT amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s AND category = %L ORDER BY id', :w1, 'expiration'),
    'VALUES (-2::bigint, 11::bigint, 9::bigint), (-1::bigint, 9::bigint, 8::bigint), (-8::bigint, 8::bigint, 0::bigint)',
    'ex-batch-1: one entry per bucket, in expiry order, chained');
SELECT results_eq(
    format('SELECT amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s AND category = %L ORDER BY id', :w2, 'expiration'),
    'VALUES (-4::bigint, 20::bigint, 16::bigint)', 'ex-batch-2: one entry');
SELECT is(wallets.balance(:w1), 0::bigint, 'ex-batch-1 is empty');
SELECT is(wallets.balance(:w2), 16::bigint, 'ex-batch-2 keeps its never-expiring 16');
SELECT is((SELECT expiry_floor FROM wallets.wallets WHERE id = :w1), NULL, 'no expiry floor left');

SELECT throws_ok('SELECT wallets.expire_due(0)', 'WL012', 'batch_size must be positive, got 0', 'batch_size 0 is WL012');
SELECT throws_ok('SELECT wallets.expire_due(-1)', 'WL012', 'batch_size must be positive, got -1', 'a negative batch_size is WL012');
SELECT throws_ok('SELECT wallets.expire_due(NULL)', 'WL012', 'batch_size must be positive, got NULL', 'batch_size NULL is WL012');

SELECT is_empty($$SELECT * FROM wallets.check() WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'ex-%')$$,
                'the ledger is consistent');

-- A sweep reads one wallet's due buckets and earliest expiry from an index of its own.
SELECT has_index('wallets', 'bucket_state', 'bucket_state_wallet_expiry', ARRAY['wallet_id', 'expires_at', 'transaction_id'],
                 'bucket_state_wallet_expiry serves the sweep of one wallet');
SELECT * FROM finish();
ROLLBACK;
