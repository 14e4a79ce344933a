-- Holds and time: reserved credits do not expire while held, so a hold outlives its buckets'
-- expiry; credits it gives back to a bucket past expiry expire at once; a hold past its own
-- expires_at stops holding at that instant and is ended by expire_due (or by the wallet's next
-- write), its credits returning to their buckets and expiring if those are past expiry.
-- Each case runs in its own month, so expire_due's counts are exact.
BEGIN;
SELECT plan(61);
SET LOCAL TimeZone = 'UTC';

CREATE TEMP VIEW chain_breaks AS
SELECT c.wallet_id, c.id
FROM (SELECT t.wallet_id, t.id, t.balance_before, lag(t.balance_after, 1, 0::bigint) OVER (PARTITION BY t.wallet_id ORDER BY t.id) AS previous
      FROM wallets.transactions t) c
WHERE c.balance_before <> c.previous;

-- 1. Capture part of a hold after one of its buckets expired.
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';
SELECT id AS a FROM wallets.open_wallet('hx-capture') \gset
SELECT id AS a_soon FROM wallets.credit(:a, 50, expires_at => '2030-01-02 00:00:00Z') \gset
SELECT id AS a_never FROM wallets.credit(:a, 50) \gset
SELECT id AS ah FROM wallets.hold(:a, 70, '2030-01-05 00:00:00Z') \gset
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.hold_allocations WHERE hold_id = %s ORDER BY source_transaction_id', :ah),
                  format('VALUES (%s::bigint, 50::bigint), (%s::bigint, 20::bigint)', :a_soon, :a_never),
                  'the hold reserves the expiring 50 first, then 20 never-expiring');
SET LOCAL wallets.clock = '2030-01-03 00:00:00Z';
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :a), 'VALUES (100::bigint, 70::bigint, 30::bigint)',
                  'past the bucket''s expiry its held 50 still count as posted and held');
SELECT is(wallets.balance(:a), 30::bigint, 'balance 30');
SELECT results_eq(format('SELECT transaction_id, remaining, held, status FROM wallets.buckets WHERE wallet_id = %s ORDER BY transaction_id', :a),
                  format($$VALUES (%s::bigint, 50::bigint, 50::bigint, 'expired'), (%s::bigint, 50::bigint, 20::bigint, 'active')$$, :a_soon, :a_never),
                  'the buckets view shows the expired bucket with its 50 held');
SELECT is(wallets.expire_due(), 0::bigint, 'expire_due leaves held credits alone: nothing to expire');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :a), 2::bigint, 'no expiration entry');
SELECT results_eq(format('SELECT status FROM wallets.holds WHERE id = %s', :ah), $$VALUES ('active')$$, 'the hold is still active');
SELECT throws_ok(format('SELECT wallets.debit(%s, 31)', :a), 'WL001', format('wallet %s has 30 available, cannot debit 31', :a), 'held credits stay unavailable');
CREATE TEMP TABLE a_cap ON COMMIT DROP AS SELECT * FROM wallets.capture(:ah, 40);
SELECT results_eq('SELECT amount, balance_before, balance_after, created_at FROM a_cap',
                  $$VALUES (-40::bigint, 100::bigint, 60::bigint, '2030-01-03 00:00:00Z'::timestamptz)$$, 'the capture of 40 succeeds after the bucket''s expiry');
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s', (SELECT id FROM a_cap)),
                  format('VALUES (%s::bigint, 40::bigint)', :a_soon), '... drawn from the expired bucket''s reserved credits');
SELECT results_eq(
    format('SELECT category, amount, balance_before, balance_after, created_at FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :a),
    $$VALUES ('credit', 50::bigint, 0::bigint, 50::bigint, '2030-01-01 00:00:00Z'::timestamptz),
             ('credit', 50::bigint, 50::bigint, 100::bigint, '2030-01-01 00:00:00Z'::timestamptz),
             ('debit', -40::bigint, 100::bigint, 60::bigint, '2030-01-03 00:00:00Z'::timestamptz),
             ('expiration', -10::bigint, 60::bigint, 50::bigint, '2030-01-03 00:00:00Z'::timestamptz)$$,
    'the 10 released to the expired bucket expire right after the capture');
SELECT results_eq(format($$SELECT a.source_transaction_id, a.amount FROM wallets.allocations a JOIN wallets.transactions t ON t.wallet_id = a.wallet_id AND t.id = a.transaction_id
                          WHERE a.wallet_id = %s AND t.category = 'expiration'$$, :a),
                  format('VALUES (%s::bigint, 10::bigint)', :a_soon), 'the expiration is allocated to the expired bucket');
SELECT results_eq(format('SELECT transaction_id, remaining, held, expired FROM wallets.bucket_state WHERE wallet_id = %s ORDER BY transaction_id', :a),
                  format('VALUES (%s::bigint, 0::bigint, 0::bigint, true), (%s::bigint, 50::bigint, 0::bigint, false)', :a_soon, :a_never),
                  'the expired bucket is empty and flagged; the 20 went back to the live one');
SELECT results_eq(format('SELECT status, captured_amount FROM wallets.holds WHERE id = %s', :ah), $$VALUES ('captured', 40::bigint)$$, 'the hold is captured for 40');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :a), 'VALUES (50::bigint, 0::bigint, 50::bigint)',
                  'balances: 50 posted, none held');
SELECT results_eq(format('SELECT ledger_balance, held, expiry_floor FROM wallets.wallets WHERE id = %s', :a), 'VALUES (50::bigint, 0::bigint, NULL::timestamptz)',
                  'the caches: nothing left to expire');

-- A whole hold captured after its bucket's expiry expires nothing: the bucket is spent.
SELECT id AS a2 FROM wallets.open_wallet('hx-capture-all') \gset
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';
SELECT id AS a2_b FROM wallets.credit(:a2, 30, expires_at => '2030-01-02 00:00:00Z') \gset
SELECT id AS a2h FROM wallets.hold(:a2, 30, '2030-01-05 00:00:00Z') \gset
SET LOCAL wallets.clock = '2030-01-03 00:00:00Z';
SELECT is((SELECT amount FROM wallets.capture(:a2h)), -30::bigint, 'capturing the whole hold after the bucket''s expiry');
SELECT results_eq(format('SELECT category, amount FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :a2),
                  $$VALUES ('credit', 30::bigint), ('debit', -30::bigint)$$, 'no expiration entry');
SELECT results_eq(format('SELECT remaining, held, status FROM wallets.buckets WHERE transaction_id = %s', :a2_b), $$VALUES (0::bigint, 0::bigint, 'spent')$$,
                  'the bucket is spent, not expired');

-- 2. Release after the bucket's expiry: the credits expire at release.
SET LOCAL wallets.clock = '2030-02-01 00:00:00Z';
SELECT id AS r FROM wallets.open_wallet('hx-release') \gset
SELECT id AS r_b FROM wallets.credit(:r, 40, expires_at => '2030-02-02 00:00:00Z') \gset
SELECT id AS rh FROM wallets.hold(:r, 30, '2030-02-05 00:00:00Z') \gset
SET LOCAL wallets.clock = '2030-02-03 00:00:00Z';
SELECT is(wallets.expire_due(), 1::bigint, 'expire_due expires the free 10 of the bucket');
SELECT results_eq(format('SELECT remaining, held, expired FROM wallets.bucket_state WHERE transaction_id = %s', :r_b), 'VALUES (0::bigint, 30::bigint, true)',
                  'the held 30 stay');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :r), 'VALUES (30::bigint, 30::bigint, 0::bigint)',
                  'balances: the 30 held are posted and held');
CREATE TEMP TABLE r_rel ON COMMIT DROP AS SELECT * FROM wallets.release(:rh);
SELECT results_eq('SELECT status, captured_amount, closed_at FROM r_rel', $$VALUES ('released', 0::bigint, '2030-02-03 00:00:00Z'::timestamptz)$$,
                  'the hold is released');
SELECT results_eq(
    format('SELECT category, amount, balance_before, balance_after, created_at FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :r),
    $$VALUES ('credit', 40::bigint, 0::bigint, 40::bigint, '2030-02-01 00:00:00Z'::timestamptz),
             ('expiration', -10::bigint, 40::bigint, 30::bigint, '2030-02-03 00:00:00Z'::timestamptz),
             ('expiration', -30::bigint, 30::bigint, 0::bigint, '2030-02-03 00:00:00Z'::timestamptz)$$,
    'the released 30 expire at once, in an expiration entry of their own');
SELECT results_eq(format('SELECT remaining, held, expired FROM wallets.bucket_state WHERE transaction_id = %s', :r_b), 'VALUES (0::bigint, 0::bigint, true)',
                  'the bucket is empty');
SELECT is((SELECT sum(amount) FROM wallets.allocations WHERE source_transaction_id = :r_b), 40::numeric, 'the bucket''s allocations add up to its amount');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :r), 'VALUES (0::bigint, 0::bigint, 0::bigint)',
                  'balances: all zero');

-- 3. A hold past its expires_at, ended by expire_due.
SET LOCAL wallets.clock = '2030-03-01 00:00:00Z';
SELECT id AS x FROM wallets.open_wallet('hx-lapse') \gset
SELECT id AS x_soon FROM wallets.credit(:x, 50, expires_at => '2030-03-02 00:00:00Z') \gset
SELECT id AS x_never FROM wallets.credit(:x, 50) \gset
SELECT id AS xh FROM wallets.hold(:x, 80, '2030-03-04 00:00:00Z') \gset
SELECT is((SELECT expiry_floor FROM wallets.wallets WHERE id = :x), '2030-03-02 00:00:00Z'::timestamptz, 'the expiry floor: the earlier of the bucket and the hold');
SET LOCAL wallets.clock = '2030-03-03 00:00:00Z';
SELECT is(wallets.expire_due(), 0::bigint, 'before the hold''s expiry: nothing to expire');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :x), 'VALUES (100::bigint, 80::bigint, 20::bigint)',
                  'the hold holds 80, 50 of them from the expired bucket');
SET LOCAL wallets.clock = '2030-03-03 23:59:59.999999Z';
SELECT is(wallets.balance(:x), 20::bigint, 'one microsecond before the hold''s expiry: 20 available');
SET LOCAL wallets.clock = '2030-03-04 00:00:00Z';
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :x), 'VALUES (50::bigint, 0::bigint, 50::bigint)',
                  'at the hold''s expiry, before any sweep: it holds nothing, its 50 from the expired bucket are gone, 30 are back');
SELECT is(wallets.balance(:x), 50::bigint, 'balance 50');
SELECT results_eq(format('SELECT status FROM wallets.holds WHERE id = %s', :xh), $$VALUES ('active')$$, 'the hold is still stored active');
SELECT throws_ok(format('SELECT wallets.capture(%s)', :xh), 'WL011', format('hold %s on wallet %s is expired', :xh, :x), 'it cannot be captured');
SELECT is(wallets.expire_due(), 1::bigint, 'expire_due ends the hold, then expires the bucket its 50 went back to');
SELECT results_eq(format('SELECT status, captured_amount, closed_at FROM wallets.holds WHERE id = %s', :xh),
                  $$VALUES ('expired', 0::bigint, '2030-03-04 00:00:00Z'::timestamptz)$$, 'the hold is expired, nothing captured');
SELECT results_eq(
    format('SELECT category, amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :x),
    $$VALUES ('credit', 50::bigint, 0::bigint, 50::bigint), ('credit', 50::bigint, 50::bigint, 100::bigint), ('expiration', -50::bigint, 100::bigint, 50::bigint)$$,
    'one expiration entry: the 50 the hold had kept from expiring');
SELECT results_eq(format('SELECT transaction_id, remaining, held, expired FROM wallets.bucket_state WHERE wallet_id = %s ORDER BY transaction_id', :x),
                  format('VALUES (%s::bigint, 0::bigint, 0::bigint, true), (%s::bigint, 50::bigint, 0::bigint, false)', :x_soon, :x_never),
                  'the never-expiring bucket has its 30 back');
SELECT results_eq(format('SELECT ledger_balance, held, expiry_floor FROM wallets.wallets WHERE id = %s', :x), 'VALUES (50::bigint, 0::bigint, NULL::timestamptz)',
                  'the caches follow');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :x), 'VALUES (50::bigint, 0::bigint, 50::bigint)',
                  'balances are the same after the sweep as before it');
SELECT throws_ok(format('SELECT wallets.release(%s)', :xh), 'WL011', format('hold %s on wallet %s is expired', :xh, :x), 'an expired hold cannot be released');
SELECT throws_ok(format('SELECT wallets.capture(%s, 1)', :xh), 'WL011', format('hold %s on wallet %s is expired', :xh, :x), 'nor captured');
SELECT is(wallets.expire_due(), 0::bigint, 'a second sweep finds nothing');

-- A lapsed hold on live buckets: expire_due ends it and expires no bucket.
SELECT id AS y FROM wallets.open_wallet('hx-lapse-live') \gset
SELECT id AS y_b FROM wallets.credit(:y, 20) \gset
SELECT id AS yh FROM wallets.hold(:y, 20, '2030-03-05 00:00:00Z') \gset
SET LOCAL wallets.clock = '2030-03-06 00:00:00Z';
SELECT is(wallets.balance(:y), 20::bigint, 'the lapsed hold no longer holds');
SELECT is(wallets.expire_due(), 0::bigint, 'expire_due counts no bucket');
SELECT results_eq(format('SELECT status, closed_at FROM wallets.holds WHERE id = %s', :yh), $$VALUES ('expired', '2030-03-06 00:00:00Z'::timestamptz)$$,
                  'but the hold is expired, closed at the sweep');
SELECT results_eq(format('SELECT remaining, held FROM wallets.bucket_state WHERE transaction_id = %s', :y_b), 'VALUES (20::bigint, 0::bigint)',
                  'its credits are free again');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :y), 1::bigint, 'nothing posted');
SELECT is((SELECT held FROM wallets.wallets WHERE id = :y), 0::bigint, 'the wallet holds nothing');

-- 4. The wallet's next write ends a lapsed hold too, before it posts.
SET LOCAL wallets.clock = '2030-04-01 00:00:00Z';
SELECT id AS f FROM wallets.open_wallet('hx-write') \gset
SELECT id AS f_soon FROM wallets.credit(:f, 10, expires_at => '2030-04-02 00:00:00Z') \gset
SELECT id AS f_never FROM wallets.credit(:f, 10) \gset
SELECT id AS fh FROM wallets.hold(:f, 15, '2030-04-03 00:00:00Z') \gset
SET LOCAL wallets.clock = '2030-04-04 00:00:00Z';
SELECT id AS fd FROM wallets.debit(:f, 10) \gset
SELECT results_eq(format('SELECT status, closed_at FROM wallets.holds WHERE id = %s', :fh), $$VALUES ('expired', '2030-04-04 00:00:00Z'::timestamptz)$$,
                  'the debit''s sweep ended the lapsed hold');
SELECT results_eq(
    format('SELECT category, amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :f),
    $$VALUES ('credit', 10::bigint, 0::bigint, 10::bigint), ('credit', 10::bigint, 10::bigint, 20::bigint),
             ('expiration', -10::bigint, 20::bigint, 10::bigint), ('debit', -10::bigint, 10::bigint, 0::bigint)$$,
    'then expired the 10 it gave back to the expired bucket, then posted the debit from the 10 live');
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s', :fd),
                  format('VALUES (%s::bigint, 10::bigint)', :f_never), 'the debit draws the credits the hold gave back');

-- 5. A wallet with a lapsed hold is swept whole, whatever the batch size.
SET LOCAL wallets.clock = '2030-05-01 00:00:00Z';
SELECT id AS g FROM wallets.open_wallet('hx-batch') \gset
SELECT id AS g1 FROM wallets.credit(:g, 5, expires_at => '2030-05-02 00:00:00Z') \gset
SELECT id AS g2 FROM wallets.credit(:g, 5, expires_at => '2030-05-03 00:00:00Z') \gset
SELECT id AS g3 FROM wallets.credit(:g, 5) \gset
SELECT id AS gh FROM wallets.hold(:g, 7, '2030-05-04 00:00:00Z') \gset
SET LOCAL wallets.clock = '2030-05-05 00:00:00Z';
SELECT is(wallets.balance(:g), 5::bigint, 'only the never-expiring 5 count');
SELECT is(wallets.expire_due(1), 2::bigint, 'expire_due(1) ends the hold and expires both buckets it reserved from');
SELECT results_eq(format($$SELECT amount FROM wallets.transactions WHERE wallet_id = %s AND category = 'expiration' ORDER BY id$$, :g),
                  'VALUES (-5::bigint), (-5::bigint)', 'each bucket expires whole, oldest expiry first');
SELECT results_eq(format('SELECT status FROM wallets.holds WHERE id = %s', :gh), $$VALUES ('expired')$$, 'the hold is expired');
SELECT results_eq(format('SELECT ledger_balance, held FROM wallets.wallets WHERE id = %s', :g), 'VALUES (5::bigint, 0::bigint)', 'ledger 5, nothing held');

SELECT is_empty($$SELECT * FROM chain_breaks WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'hx-%')$$,
                'every balance chain is unbroken');
SELECT is_empty($$SELECT w.id FROM wallets.wallets w JOIN wallets.balances b ON b.wallet_id = w.id
                  WHERE w.owner LIKE 'hx-%' AND (b.available <> wallets.balance(w.id) OR b.posted - b.held <> b.available)$$,
                'balance() = available = posted - held, on every wallet');
SELECT is_empty($$SELECT * FROM wallets.check() WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'hx-%')$$, 'the ledger is consistent');

SELECT * FROM finish();
ROLLBACK;
