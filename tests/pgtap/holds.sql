-- Holds: wallets.hold(wallet_id, amount, expires_at, metadata, idempotency_key) reserves credits from
-- specific buckets in draw-down order; wallets.capture(hold_id, amount, category, metadata) debits
-- all or part of them and releases the rest; wallets.release(hold_id) gives them all back.
-- Expiry of holds and of the buckets they reserve is in hold_expiry.sql.
BEGIN;
SELECT plan(103);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_function('wallets', 'hold', ARRAY['bigint', 'bigint', 'timestamp with time zone', 'jsonb', 'text'], 'hold(bigint, bigint, timestamptz, jsonb, text) exists');
SELECT function_returns('wallets', 'hold', ARRAY['bigint', 'bigint', 'timestamp with time zone', 'jsonb', 'text'], 'wallets.holds', 'hold returns a wallets.holds row');
SELECT has_function('wallets', 'capture', ARRAY['bigint', 'bigint', 'text', 'jsonb'], 'capture(bigint, bigint, text, jsonb) exists');
SELECT function_returns('wallets', 'capture', ARRAY['bigint', 'bigint', 'text', 'jsonb'], 'wallets.transactions', 'capture returns a wallets.transactions row');
SELECT has_function('wallets', 'release', ARRAY['bigint'], 'release(bigint) exists');
SELECT function_returns('wallets', 'release', ARRAY['bigint'], 'wallets.holds', 'release returns a wallets.holds row');
SELECT columns_are('wallets', 'holds',
                   ARRAY['id', 'wallet_id', 'amount', 'captured_amount', 'status', 'expires_at', 'metadata', 'idempotency_key', 'created_at', 'closed_at'],
                   'holds has the documented columns');

SELECT id AS w FROM wallets.open_wallet('hold-alice') \gset
SELECT id AS c_late FROM wallets.credit(:w, 60, expires_at => '2030-01-10 00:00:00Z') \gset
SELECT id AS c_never FROM wallets.credit(:w, 40) \gset
SELECT id AS c_p0 FROM wallets.credit(:w, 10, priority => 0) \gset

-- A hold with every default.
CREATE TEMP TABLE h1 ON COMMIT DROP AS SELECT * FROM wallets.hold(:w, 80);
SELECT id AS h1 FROM h1 \gset
SELECT results_eq(
    'SELECT wallet_id, amount, captured_amount, status, expires_at, metadata, idempotency_key, created_at, closed_at FROM h1',
    format($$VALUES (%s::bigint, 80::bigint, 0::bigint, 'active', '2030-01-01 00:15:00Z'::timestamptz, '{}'::jsonb, NULL::text,
                     '2030-01-01 00:00:00Z'::timestamptz, NULL::timestamptz)$$, :w),
    'the hold: active, nothing captured, expiring 15 minutes from now by default, not closed');
SELECT results_eq(format('SELECT * FROM wallets.holds WHERE id = %s', :h1), 'SELECT * FROM h1', 'the returned row is the stored row');
SELECT is(wallets.balance(:w), 30::bigint, 'the balance drops by 80 at once');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :w), 'VALUES (110::bigint, 80::bigint, 30::bigint)',
                  'balances: 110 posted, 80 held, 30 available');
SELECT results_eq(format('SELECT ledger_balance, held, expiry_floor FROM wallets.wallets WHERE id = %s', :w),
                  $$VALUES (110::bigint, 80::bigint, '2030-01-01 00:15:00Z'::timestamptz)$$,
                  'the wallet''s caches: the ledger is unchanged, 80 held, the expiry floor at the hold''s expiry');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :w), 3::bigint, 'a hold posts no transaction');
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.hold_allocations WHERE hold_id = %s ORDER BY source_transaction_id', :h1),
                  format('VALUES (%s::bigint, 60::bigint), (%s::bigint, 10::bigint), (%s::bigint, 10::bigint)', :c_late, :c_never, :c_p0),
                  'reserved in draw-down order: the priority-0 10, the expiring 60, then 10 of the never-expiring 40');
SELECT results_eq(
    format('SELECT transaction_id, remaining, held FROM wallets.bucket_state WHERE wallet_id = %s ORDER BY transaction_id', :w),
    format('VALUES (%s::bigint, 0::bigint, 60::bigint), (%s::bigint, 30::bigint, 10::bigint), (%s::bigint, 0::bigint, 10::bigint)', :c_late, :c_never, :c_p0),
    'bucket_state: reserved credits move from remaining to held');
SELECT results_eq(
    format('SELECT transaction_id, remaining, held, status FROM wallets.buckets WHERE wallet_id = %s ORDER BY transaction_id', :w),
    format($$VALUES (%s::bigint, 60::bigint, 60::bigint, 'active'), (%s::bigint, 40::bigint, 10::bigint, 'active'), (%s::bigint, 10::bigint, 10::bigint, 'active')$$,
           :c_late, :c_never, :c_p0),
    'the buckets view: remaining includes what is held, and held shows it');

-- Held credits are not available.
SELECT throws_ok(format('SELECT wallets.debit(%s, 31)', :w), 'WL001', format('wallet %s has 30 available, cannot debit 31', :w), 'a debit above what is available is WL001');
SELECT throws_ok(format('SELECT wallets.hold(%s, 31)', :w), 'WL001', format('wallet %s has 30 available, cannot hold 31', :w), 'a second hold above what is available is WL001');
SELECT id AS d1 FROM wallets.debit(:w, 5) \gset
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s', :d1),
                  format('VALUES (%s::bigint, 5::bigint)', :c_never), 'a debit draws only free credits');

-- Capture part of a hold: the first reserved credits in draw-down order are debited, the rest released.
SET LOCAL wallets.clock = '2030-01-01 00:05:00Z';
CREATE TEMP TABLE cap1 ON COMMIT DROP AS SELECT * FROM wallets.capture(:h1, 50, 'purchase', '{"order": 7}');
SELECT results_eq(
    'SELECT wallet_id, amount, category, expires_at, priority, balance_before, balance_after, metadata, idempotency_key, created_at, transfer_id, hold_id, reversal_of FROM cap1',
    format($$VALUES (%s::bigint, -50::bigint, 'purchase', NULL::timestamptz, NULL::integer, 105::bigint, 55::bigint, '{"order": 7}'::jsonb, NULL::text,
                     '2030-01-01 00:05:00Z'::timestamptz, NULL::bigint, %s::bigint, NULL::bigint)$$, :w, :h1),
    'capture posts one debit of 50 carrying the hold id, from the ledger balance 105');
SELECT results_eq(format('SELECT * FROM wallets.transactions WHERE id = %s', (SELECT id FROM cap1)), 'SELECT * FROM cap1', 'the returned row is the stored row');
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s ORDER BY source_transaction_id', (SELECT id FROM cap1)),
                  format('VALUES (%s::bigint, 40::bigint), (%s::bigint, 10::bigint)', :c_late, :c_p0),
                  'the capture is allocated to the reserved buckets in draw-down order: 10 of priority 0, then 40 of the expiring one');
SELECT results_eq(format('SELECT status, captured_amount, closed_at FROM wallets.holds WHERE id = %s', :h1),
                  $$VALUES ('captured', 50::bigint, '2030-01-01 00:05:00Z'::timestamptz)$$, 'the hold is captured, for 50, closed now');
SELECT results_eq(
    format('SELECT transaction_id, remaining, held FROM wallets.bucket_state WHERE wallet_id = %s ORDER BY transaction_id', :w),
    format('VALUES (%s::bigint, 20::bigint, 0::bigint), (%s::bigint, 35::bigint, 0::bigint), (%s::bigint, 0::bigint, 0::bigint)', :c_late, :c_never, :c_p0),
    'the other 30 reserved went back: 20 to the expiring bucket, 10 to the never-expiring one');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :w), 'VALUES (55::bigint, 0::bigint, 55::bigint)',
                  'balances: 55 posted, nothing held');
SELECT is((SELECT held FROM wallets.wallets WHERE id = :w), 0::bigint, 'the wallet holds nothing');
SELECT throws_ok(format('SELECT wallets.capture(%s)', :h1), 'WL011', format('hold %s on wallet %s is captured', :h1, :w), 'capturing a captured hold is WL011');
SELECT throws_ok(format('SELECT wallets.capture(%s, 1)', :h1), 'WL011', format('hold %s on wallet %s is captured', :h1, :w), '... whatever the amount');
SELECT throws_ok(format('SELECT wallets.release(%s)', :h1), 'WL011', format('hold %s on wallet %s is captured', :h1, :w), 'releasing a captured hold is WL011');

-- Capture all: amount NULL, category debit by default.
SELECT id AS h2 FROM wallets.hold(:w, 20, '2030-01-02 00:00:00Z') \gset
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.hold_allocations WHERE hold_id = %s', :h2),
                  format('VALUES (%s::bigint, 20::bigint)', :c_late), 'the second hold reserves the expiring bucket''s 20');
CREATE TEMP TABLE cap2 ON COMMIT DROP AS SELECT * FROM wallets.capture(:h2);
SELECT results_eq('SELECT amount, category, metadata, balance_before, balance_after, hold_id FROM cap2',
                  format($$VALUES (-20::bigint, 'debit', '{}'::jsonb, 55::bigint, 35::bigint, %s::bigint)$$, :h2),
                  'capture without an amount debits the whole hold, category debit, metadata {}');
SELECT results_eq(format('SELECT status, captured_amount FROM wallets.holds WHERE id = %s', :h2), $$VALUES ('captured', 20::bigint)$$, 'captured in full');
SELECT is((SELECT metadata FROM wallets.capture((wallets.hold(:w, 1)).id, metadata => NULL)), '{}'::jsonb, 'capture with metadata NULL stores {}');
SELECT is(wallets.balance(:w), 34::bigint, 'balance 34');

-- Release: every reserved credit goes back, nothing is posted.
CREATE TEMP TABLE h3 ON COMMIT DROP AS SELECT * FROM wallets.hold(:w, 15, '2030-01-02 00:00:00Z', '{"cart": 3}');
SELECT id AS h3 FROM h3 \gset
SELECT is(wallets.balance(:w), 19::bigint, 'the third hold reserves 15');
-- Refused captures leave the hold active.
SELECT throws_ok(format('SELECT wallets.capture(%s, 16)', :h3), 'WL003', format('hold %s on wallet %s holds 15, cannot capture 16', :h3, :w),
                 'capturing more than the hold is WL003');
SELECT throws_ok(format('SELECT wallets.capture(%s, 0)', :h3), 'WL003', format('wallet %s: amount must be a positive whole number, got 0', :w),
                 'capturing 0 is WL003');
SELECT throws_ok(format('SELECT wallets.capture(%s, -1)', :h3), 'WL003', format('wallet %s: amount must be a positive whole number, got -1', :w),
                 'capturing a negative amount is WL003');
SELECT throws_ok(format('SELECT wallets.capture(%s, 1, %L)', :h3, 'expiration'), 'WL012', format('wallet %s: category ''expiration'' is reserved for the ledger', :w),
                 'a reserved category is WL012');
SELECT throws_ok(format('SELECT wallets.capture(%s, 1, NULL)', :h3), 'WL012', NULL, 'category NULL is WL012');
SELECT throws_ok(format('SELECT wallets.capture(%s, 1, metadata => %L)', :h3, '[]'), 'WL012', format('wallet %s: metadata must be a JSON object', :w),
                 'array metadata is WL012');
SELECT results_eq(format('SELECT status, captured_amount FROM wallets.holds WHERE id = %s', :h3), $$VALUES ('active', 0::bigint)$$,
                  'the refused captures left the hold active');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE hold_id = :h3), 0::bigint, '... and posted nothing');
CREATE TEMP TABLE count_before_release ON COMMIT DROP AS
SELECT count(*) AS n, (SELECT count(*) FROM wallets.allocations WHERE wallet_id = :w) AS allocations FROM wallets.transactions WHERE wallet_id = :w;
SET LOCAL wallets.clock = '2030-01-01 00:06:00Z';
CREATE TEMP TABLE rel ON COMMIT DROP AS SELECT * FROM wallets.release(:h3);
SELECT results_eq('SELECT id, wallet_id, amount, captured_amount, status, expires_at, metadata, created_at, closed_at FROM rel',
                  format($$VALUES (%s::bigint, %s::bigint, 15::bigint, 0::bigint, 'released', '2030-01-02 00:00:00Z'::timestamptz, '{"cart": 3}'::jsonb,
                                   '2030-01-01 00:05:00Z'::timestamptz, '2030-01-01 00:06:00Z'::timestamptz)$$, :h3, :w),
                  'release returns the hold: released, nothing captured, closed now');
SELECT results_eq(format('SELECT * FROM wallets.holds WHERE id = %s', :h3), 'SELECT * FROM rel', 'the returned row is the stored row');
SELECT is(wallets.balance(:w), 34::bigint, 'the 15 are available again');
SELECT results_eq(format('SELECT remaining, held FROM wallets.bucket_state WHERE transaction_id = %s', :c_never), 'VALUES (34::bigint, 0::bigint)',
                  'back in their bucket');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :w), (SELECT n FROM count_before_release), 'release posts no transaction');
SELECT is((SELECT count(*) FROM wallets.allocations WHERE wallet_id = :w), (SELECT allocations FROM count_before_release), 'and allocates nothing');
SELECT throws_ok(format('SELECT wallets.release(%s)', :h3), 'WL011', format('hold %s on wallet %s is released', :h3, :w), 'releasing a released hold is WL011');
SELECT throws_ok(format('SELECT wallets.capture(%s)', :h3), 'WL011', format('hold %s on wallet %s is released', :h3, :w), 'capturing a released hold is WL011');

-- Unknown holds.
SELECT throws_ok('SELECT wallets.capture(-1)', 'WL012', 'hold -1 does not exist', 'capturing an unknown hold is WL012');
SELECT throws_ok('SELECT wallets.release(-1)', 'WL012', 'hold -1 does not exist', 'releasing an unknown hold is WL012');
SELECT throws_ok('SELECT wallets.capture(NULL)', 'WL012', 'hold NULL does not exist', 'capturing hold NULL is WL012');
SELECT throws_ok('SELECT wallets.release(NULL)', 'WL012', 'hold NULL does not exist', 'releasing hold NULL is WL012');

-- A hold past its expires_at cannot be captured or released, even before any sweep.
SELECT id AS h4 FROM wallets.hold(:w, 4, '2030-01-01 00:10:00Z') \gset
SET LOCAL wallets.clock = '2030-01-01 00:09:59.999999Z';
SELECT is(wallets.balance(:w), 30::bigint, 'one microsecond before its expiry the hold still holds');
SET LOCAL wallets.clock = '2030-01-01 00:10:00Z';
SELECT is(wallets.balance(:w), 34::bigint, 'at its expiry it no longer holds, before any sweep');
SELECT throws_ok(format('SELECT wallets.capture(%s)', :h4), 'WL011', format('hold %s on wallet %s is expired', :h4, :w), 'capturing at its expiry is WL011');
SELECT throws_ok(format('SELECT wallets.release(%s)', :h4), 'WL011', format('hold %s on wallet %s is expired', :h4, :w), 'releasing at its expiry is WL011');
SELECT is((SELECT status FROM wallets.holds WHERE id = :h4), 'active', 'the hold is still stored active until a sweep');
SET LOCAL wallets.clock = '2030-01-01 00:09:00Z';
SELECT lives_ok(format('SELECT wallets.release(%s)', :h4), 'with the clock back before its expiry it can be released: nothing was swept');

-- Rejected holds write nothing.
SELECT id AS neg FROM wallets.open_wallet('hold-neg', allow_negative => true) \gset
CREATE TEMP TABLE before_errors ON COMMIT DROP AS
SELECT (SELECT count(*) FROM wallets.holds) AS holds, (SELECT count(*) FROM wallets.hold_allocations) AS reservations,
       (SELECT held FROM wallets.wallets WHERE id = :w) AS held;
SELECT throws_ok(format('SELECT wallets.hold(%s, 0)', :w), 'WL003', format('wallet %s: amount must be a positive whole number, got 0', :w), 'amount 0 is WL003');
SELECT throws_ok(format('SELECT wallets.hold(%s, -3)', :w), 'WL003', format('wallet %s: amount must be a positive whole number, got -3', :w), 'a negative amount is WL003');
SELECT throws_ok(format('SELECT wallets.hold(%s, NULL)', :w), 'WL003', format('wallet %s: amount must be a positive whole number, got NULL', :w), 'amount NULL is WL003');
SELECT throws_ok('SELECT wallets.hold(-1, 1)', 'WL002', 'wallet -1 does not exist', 'an unknown wallet is WL002');
SELECT throws_ok('SELECT wallets.hold(NULL, 1)', 'WL002', 'wallet NULL does not exist', 'wallet NULL is WL002');
SELECT throws_ok(format('SELECT wallets.hold(%s, 1, %L)', :w, '2030-01-01 00:09:00Z'), 'WL005',
                 format('hold on wallet %s expires at 2030-01-01 00:09:00+00, not after now (2030-01-01 00:09:00+00)', :w), 'expires_at = now is WL005');
SELECT throws_ok(format('SELECT wallets.hold(%s, 1, %L)', :w, '2029-01-01 00:00:00Z'), 'WL005',
                 format('hold on wallet %s expires at 2029-01-01 00:00:00+00, not after now (2030-01-01 00:09:00+00)', :w), 'an expires_at in the past is WL005');
SELECT throws_ok(format('SELECT wallets.hold(%s, 35)', :w), 'WL001', format('wallet %s has 34 available, cannot hold 35', :w), 'more than available is WL001');
SELECT throws_ok(format('SELECT wallets.hold(%s, 1, metadata => %L)', :w, '"x"'), 'WL012', format('wallet %s: metadata must be a JSON object', :w),
                 'non-object metadata is WL012');
SELECT throws_ok(format('SELECT wallets.hold(%s, 1)', :neg), 'WL001', format('wallet %s has 0 available, cannot hold 1', :neg),
                 'an allow_negative wallet cannot hold what it does not have');
SELECT lives_ok(format('SELECT wallets.credit(%s, 5); SELECT wallets.debit(%s, 10)', :neg, :neg), 'it may go to -5 by a debit');
SELECT throws_ok(format('SELECT wallets.hold(%s, 1)', :neg), 'WL001', format('wallet %s has -5 available, cannot hold 1', :neg), 'but holds nothing in debt');
SELECT results_eq(format('SELECT (SELECT count(*) FROM wallets.holds), (SELECT count(*) FROM wallets.hold_allocations), (SELECT held FROM wallets.wallets WHERE id = %s)', :w),
                  'SELECT holds, reservations, held FROM before_errors', 'the rejected holds wrote nothing');

-- Idempotency: keys are per wallet; a replay returns the hold and reserves nothing more.
CREATE TEMP TABLE hk ON COMMIT DROP AS SELECT * FROM wallets.hold(:w, 10, '2030-01-05 00:00:00Z', '{"k": 1}', 'hold-key-1');
SELECT is((SELECT idempotency_key FROM hk), 'hold-key-1', 'the key is stored on the hold');
SET LOCAL wallets.clock = '2030-01-01 00:30:00Z';
SELECT results_eq(format($$SELECT * FROM wallets.hold(%s, 10, '2030-01-05 00:00:00Z', '{"k": 1}', 'hold-key-1')$$, :w), 'SELECT * FROM hk',
                  'a replay returns the original hold');
SELECT results_eq(format($$SELECT id FROM wallets.hold(%s, 10, metadata => '{"k": 1}', idempotency_key => 'hold-key-1')$$, :w), 'SELECT id FROM hk',
                  'a replay without expires_at matches the original expiry');
SELECT is(wallets.balance(:w), 24::bigint, 'reserved once: balance 24');
SELECT is((SELECT count(*) FROM wallets.holds WHERE wallet_id = :w AND status = 'active'), 1::bigint, 'one active hold');
SELECT throws_ok(format($$SELECT wallets.hold(%s, 11, '2030-01-05 00:00:00Z', '{"k": 1}', 'hold-key-1')$$, :w), 'WL006',
                 format($$idempotency key 'hold-key-1' on wallet %s was used by hold %s with other arguments$$, :w, (SELECT id FROM hk)),
                 'another amount is WL006');
SELECT throws_ok(format($$SELECT wallets.hold(%s, 10, '2030-01-06 00:00:00Z', '{"k": 1}', 'hold-key-1')$$, :w), 'WL006', NULL, 'another expires_at is WL006');
SELECT throws_ok(format($$SELECT wallets.hold(%s, 10, '2030-01-05 00:00:00Z', '{"k": 2}', 'hold-key-1')$$, :w), 'WL006', NULL, 'other metadata is WL006');
SELECT id AS other FROM wallets.open_wallet('hold-bob') \gset
SELECT lives_ok(format('SELECT wallets.credit(%s, 10)', :other), 'another wallet with 10');
SELECT isnt((SELECT id FROM wallets.hold(:other, 10, '2030-01-05 00:00:00Z', '{"k": 1}', 'hold-key-1')), (SELECT id FROM hk),
            'the same key on another wallet is another hold');
SELECT lives_ok(format('SELECT wallets.capture(%s, 4)', (SELECT id FROM hk)), 'capture the keyed hold');
SELECT results_eq(format($$SELECT id, status, captured_amount FROM wallets.hold(%s, 10, '2030-01-05 00:00:00Z', '{"k": 1}', 'hold-key-1')$$, :w),
                  format($$VALUES (%s::bigint, 'captured', 4::bigint)$$, (SELECT id FROM hk)),
                  'a replay after the capture returns the hold as it now is, and reserves nothing');
SELECT is(wallets.balance(:w), 30::bigint, 'balance 30');

-- A replay writes nothing even when the wallet has a bucket due.
SELECT id AS q FROM wallets.open_wallet('hold-quinn') \gset
SELECT id AS q_soon FROM wallets.credit(:q, 10, expires_at => '2030-01-01 01:00:00Z') \gset
SELECT id AS q_never FROM wallets.credit(:q, 10) \gset
SELECT id AS qh FROM wallets.hold(:q, 3, '2030-01-02 00:00:00Z', idempotency_key => 'hold-key-q') \gset
SET LOCAL wallets.clock = '2030-01-01 02:00:00Z';
SELECT is((SELECT id FROM wallets.hold(:q, 3, '2030-01-02 00:00:00Z', idempotency_key => 'hold-key-q')), :qh::bigint,
          'a replay after a bucket expired returns the original hold');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :q), 2::bigint, '... and posts no expiration entry');

-- A default expiry is 15 minutes from wallets.now().
SET LOCAL wallets.clock = '2030-01-01 12:34:56.5Z';
SELECT is((SELECT expires_at FROM wallets.hold(:w, 1)), '2030-01-01 12:49:56.5Z'::timestamptz, 'the default expiry is wallets.now() + 15 minutes');

-- The ledger of the wallet: captures are ordinary debits in the balance chain.
SELECT results_eq(
    format('SELECT category, amount, balance_before, balance_after, hold_id IS NOT NULL FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :w),
    $$VALUES ('credit', 60::bigint, 0::bigint, 60::bigint, false), ('credit', 40::bigint, 60::bigint, 100::bigint, false),
             ('credit', 10::bigint, 100::bigint, 110::bigint, false), ('debit', -5::bigint, 110::bigint, 105::bigint, false),
             ('purchase', -50::bigint, 105::bigint, 55::bigint, true), ('debit', -20::bigint, 55::bigint, 35::bigint, true),
             ('debit', -1::bigint, 35::bigint, 34::bigint, true), ('debit', -4::bigint, 34::bigint, 30::bigint, true)$$,
    'the exact chain: credits, a debit, four captures');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :w), 'VALUES (30::bigint, 1::bigint, 29::bigint)',
                  'balances: 30 posted, the last hold''s 1 held, 29 available');
SELECT is(wallets.balance(:w), 29::bigint, 'balance() is the available figure');
-- A full capture of a hold over several buckets (capture settles it without returning anything):
-- each reserved amount becomes an allocation of the capture, no bucket's free remainder changes,
-- and the wallet's draw_from key and expiry floor stay where they were.
SELECT id AS wf FROM wallets.open_wallet('hold-full') \gset
SELECT id AS f_p0 FROM wallets.credit(:wf, 5, priority => 0) \gset
SELECT id AS f_exp FROM wallets.credit(:wf, 7, expires_at => '2030-06-01Z') \gset
SELECT id AS f_never FROM wallets.credit(:wf, 9) \gset
SELECT id AS hf FROM wallets.hold(:wf, 15, '2030-01-02 00:00:00Z') \gset
CREATE TEMP TABLE full_before ON COMMIT DROP AS
SELECT draw_from_priority, draw_from_expiry, draw_from_id, expiry_floor FROM wallets.wallets WHERE id = :wf;
SELECT id AS fcap FROM wallets.capture(:hf, 15) \gset
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s ORDER BY source_transaction_id', :fcap),
                  format('SELECT source_transaction_id, amount FROM wallets.hold_allocations WHERE hold_id = %s ORDER BY source_transaction_id', :hf),
                  'a full capture allocates exactly what the hold reserved, bucket by bucket');
SELECT results_eq(format('SELECT transaction_id, remaining, held FROM wallets.bucket_state WHERE wallet_id = %s ORDER BY transaction_id', :wf),
                  format('VALUES (%s::bigint, 0::bigint, 0::bigint), (%s::bigint, 0::bigint, 0::bigint), (%s::bigint, 6::bigint, 0::bigint)', :f_p0, :f_exp, :f_never),
                  'the buckets hold nothing and keep their free remainder: 5 + 7 + 3 of 9 captured, 6 free');
SELECT results_eq(format('SELECT ledger_balance, held FROM wallets.wallets WHERE id = %s', :wf), 'VALUES (6::bigint, 0::bigint)',
                  'the wallet: 21 - 15 = 6 posted, nothing held');
SELECT results_eq(format('SELECT draw_from_priority, draw_from_expiry, draw_from_id, expiry_floor FROM wallets.wallets WHERE id = %s', :wf),
                  'SELECT * FROM full_before', 'the draw_from key and the expiry floor are unchanged');
SELECT is((SELECT status FROM wallets.holds WHERE id = :hf), 'captured', 'the hold is captured');
SELECT is_empty(format('SELECT * FROM wallets.check(%s)', :wf), 'check() finds the fully captured wallet consistent');
SELECT is_empty($$SELECT * FROM wallets.check() WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'hold-%')$$, 'the ledger is consistent');
SELECT isnt(obj_description('wallets.hold(bigint, bigint, timestamptz, jsonb, text)'::regprocedure, 'pg_proc'), NULL, 'hold has a comment');
SELECT isnt(obj_description('wallets.capture(bigint, bigint, text, jsonb)'::regprocedure, 'pg_proc'), NULL, 'capture has a comment');
SELECT isnt(obj_description('wallets.release(bigint)'::regprocedure, 'pg_proc'), NULL, 'release has a comment');

SELECT * FROM finish();
ROLLBACK;
