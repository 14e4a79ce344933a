-- wallets.reverse_debit(transaction_id, amount, reason): reversal credits (reversal_of = the debit)
-- given back to the buckets the debit drew from, keeping their expiries and priorities, in
-- allocation order (oldest bucket first); partial reversals continue where the last stopped; the
-- total never exceeds what the debit's buckets gave.
BEGIN;
SELECT plan(43);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_function('wallets', 'reverse_debit', ARRAY['bigint', 'bigint', 'text'], 'reverse_debit(bigint, bigint, text) exists');
SELECT function_returns('wallets', 'reverse_debit', ARRAY['bigint', 'bigint', 'text'], 'setof wallets.transactions', 'reverse_debit returns setof wallets.transactions');
SELECT isnt(obj_description('wallets.reverse_debit(bigint, bigint, text)'::regprocedure, 'pg_proc'), NULL, 'reverse_debit has a comment');

SELECT id AS w FROM wallets.open_wallet('rev-alice') \gset
SELECT id AS x FROM wallets.credit(:w, 50, expires_at => '2030-01-10 00:00:00Z', priority => 40) \gset
SELECT id AS y FROM wallets.credit(:w, 30, expires_at => '2030-01-05 00:00:00Z', priority => 40) \gset
SELECT id AS z FROM wallets.credit(:w, 100) \gset
SELECT id AS d FROM wallets.debit(:w, 60, 'api_call') \gset
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s ORDER BY source_transaction_id', :d),
                  format('VALUES (%s::bigint, 30::bigint), (%s::bigint, 30::bigint)', :x, :y),
                  'the debit drew 30 from the 5-day bucket first, then 30 from the 10-day one');

-- A partial reversal: oldest bucket first (x, although the debit drew y first).
SET LOCAL wallets.clock = '2030-01-02 00:00:00Z';
CREATE TEMP TABLE r1 ON COMMIT DROP AS SELECT * FROM wallets.reverse_debit(:d, 20, 'refund');
SELECT results_eq(
    'SELECT wallet_id, amount, category, expires_at, priority, balance_before, balance_after, metadata, idempotency_key, created_at, transfer_id, hold_id, reversal_of FROM r1',
    format($$VALUES (%s::bigint, 20::bigint, 'reversal', '2030-01-10 00:00:00Z'::timestamptz, 40, 120::bigint, 140::bigint,
                     jsonb_build_object('source_transaction_id', %s, 'reason', 'refund'), NULL::text, '2030-01-02 00:00:00Z'::timestamptz,
                     NULL::bigint, NULL::bigint, %s::bigint)$$, :w, :x, :d),
    'reverse 20: one reversal credit to the oldest bucket drawn, with its expiry and priority, reversal_of the debit');
SELECT results_eq(format('SELECT * FROM wallets.transactions WHERE id = %s', (SELECT id FROM r1)), 'SELECT * FROM r1', 'the returned row is the stored row');
SELECT results_eq(format('SELECT category, amount, remaining, expires_at, priority, status FROM wallets.buckets WHERE transaction_id = %s', (SELECT id FROM r1)),
                  $$VALUES ('reversal', 20::bigint, 20::bigint, '2030-01-10 00:00:00Z'::timestamptz, 40, 'active')$$, 'the reversal opens a bucket like its source');
SELECT is(wallets.balance(:w), 140::bigint, 'balance 140');
SELECT throws_ok(format('SELECT * FROM wallets.reverse_debit(%s, 41)', :d), 'WL003', format('debit %s on wallet %s: cannot reverse 41, 40 of its 60 are left to reverse', :d, :w),
                 'more than is left to reverse is WL003');
SELECT throws_ok(format('SELECT * FROM wallets.reverse_debit(%s, 0)', :d), 'WL003', format('debit %s on wallet %s: cannot reverse 0, 40 of its 60 are left to reverse', :d, :w),
                 'amount 0 is WL003');
SELECT throws_ok(format('SELECT * FROM wallets.reverse_debit(%s, -5)', :d), 'WL003', format('debit %s on wallet %s: cannot reverse -5, 40 of its 60 are left to reverse', :d, :w),
                 'a negative amount is WL003');

-- The next partial reversal continues where the last stopped: the rest of x, then y.
SELECT results_eq(format('SELECT amount, expires_at, priority, metadata, reversal_of FROM wallets.reverse_debit(%s, 15)', :d),
                  format($$VALUES (10::bigint, '2030-01-10 00:00:00Z'::timestamptz, 40, jsonb_build_object('source_transaction_id', %s), %s::bigint),
                                  (5::bigint, '2030-01-05 00:00:00Z'::timestamptz, 40, jsonb_build_object('source_transaction_id', %s), %s::bigint)$$, :x, :d, :y, :d),
                  'reverse 15: the 10 left of x''s 30, then 5 of y''s, each keeping its bucket''s expiry; no reason, none recorded');
SELECT is(wallets.balance(:w), 155::bigint, 'balance 155');

-- The rest, after y's expiry: back to y's bucket expiry, so it expires at once.
SET LOCAL wallets.clock = '2030-01-06 00:00:00Z';
SELECT results_eq(format('SELECT amount, expires_at, balance_before, balance_after FROM wallets.reverse_debit(%s)', :d),
                  $$VALUES (25::bigint, '2030-01-05 00:00:00Z'::timestamptz, 150::bigint, 175::bigint)$$,
                  'amount NULL reverses the 25 left, into y''s past expiry');
SELECT results_eq(
    format('SELECT category, amount, balance_before, balance_after, reversal_of FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :w),
    format($$VALUES ('credit', 50::bigint, 0::bigint, 50::bigint, NULL::bigint), ('credit', 30::bigint, 50::bigint, 80::bigint, NULL),
                    ('credit', 100::bigint, 80::bigint, 180::bigint, NULL), ('api_call', -60::bigint, 180::bigint, 120::bigint, NULL),
                    ('reversal', 20::bigint, 120::bigint, 140::bigint, %1$s), ('reversal', 10::bigint, 140::bigint, 150::bigint, %1$s),
                    ('reversal', 5::bigint, 150::bigint, 155::bigint, %1$s), ('expiration', -5::bigint, 155::bigint, 150::bigint, NULL),
                    ('reversal', 25::bigint, 150::bigint, 175::bigint, %1$s), ('expiration', -25::bigint, 175::bigint, 150::bigint, NULL)$$, :d),
    'the chain: the earlier reversal into y''s expiry is swept first, the new one expires right after it');
SELECT is((SELECT sum(amount) FROM wallets.transactions WHERE reversal_of = :d), 60::numeric, 'the reversals add up to the debit');
SELECT is(wallets.balance(:w), 150::bigint, 'balance 150: the 100, x''s 20 free and the 30 reversed into x''s expiry');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :w), 'VALUES (150::bigint, 0::bigint, 150::bigint)',
                  'balances agree');
SELECT throws_ok(format('SELECT * FROM wallets.reverse_debit(%s)', :d), 'WL003', format('debit %s on wallet %s: cannot reverse 0, 0 of its 60 are left to reverse', :d, :w),
                 'a fully reversed debit has nothing left: WL003');
SELECT throws_ok(format('SELECT * FROM wallets.reverse_debit(%s, 1)', :d), 'WL003', format('debit %s on wallet %s: cannot reverse 1, 0 of its 60 are left to reverse', :d, :w),
                 '... whatever the amount');

-- What cannot be reversed: every entry but a debit.
SELECT id AS other FROM wallets.open_wallet('rev-bob') \gset
SELECT id AS tr FROM wallets.transfer(:w, :other, 10) \gset
SELECT id AS t_out FROM wallets.transactions WHERE transfer_id = :tr AND category = 'transfer_out' \gset
SELECT id AS t_in FROM wallets.transactions WHERE transfer_id = :tr AND category = 'transfer_in' \gset
SELECT id AS v FROM wallets.void_credit((SELECT id FROM r1)) \gset
SELECT id AS moved FROM wallets.set_expiry(:z, NULL) \gset
SELECT id AS exp FROM wallets.transactions WHERE wallet_id = :w AND category = 'expiration' ORDER BY id LIMIT 1 \gset
CREATE TEMP TABLE before_errors ON COMMIT DROP AS SELECT count(*) AS n FROM wallets.transactions;
SELECT throws_ok(format('SELECT * FROM wallets.reverse_debit(%s)', e.id), 'WL012',
                 format('transaction %s on wallet %s (%s) is not a debit that can be reversed', e.id, e.wallet_id, e.category),
                 format('reversing an entry of category %s (%s) is WL012', e.category, CASE WHEN e.amount > 0 THEN 'a credit' ELSE 'negative' END))
FROM wallets.transactions e
WHERE e.id IN (:x, (SELECT id FROM r1), :exp, :t_out, :t_in, :v, :moved - 1, :moved)
ORDER BY e.id;
SELECT throws_ok('SELECT * FROM wallets.reverse_debit(-1)', 'WL012', 'transaction -1 does not exist', 'an unknown transaction is WL012');
SELECT throws_ok('SELECT * FROM wallets.reverse_debit(NULL)', 'WL012', 'transaction NULL does not exist', 'transaction NULL is WL012');
SELECT is((SELECT count(*) FROM wallets.transactions), (SELECT n FROM before_errors), 'the refused reversals wrote nothing');

-- A capture is a debit: reversing it gives back to the buckets the hold reserved.
SELECT id AS c FROM wallets.open_wallet('rev-capture') \gset
SELECT id AS ca FROM wallets.credit(:c, 40, expires_at => '2030-01-20 00:00:00Z') \gset
SELECT id AS cb FROM wallets.credit(:c, 10, priority => 0) \gset
SELECT id AS ch FROM wallets.hold(:c, 30) \gset
SELECT id AS cap FROM wallets.capture(:ch, 25) \gset
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s ORDER BY source_transaction_id', :cap),
                  format('VALUES (%s::bigint, 15::bigint), (%s::bigint, 10::bigint)', :ca, :cb), 'the capture took 10 of priority 0, then 15 of the expiring bucket');
SELECT results_eq(format('SELECT amount, expires_at, priority, reversal_of FROM wallets.reverse_debit(%s)', :cap),
                  format($$VALUES (15::bigint, '2030-01-20 00:00:00Z'::timestamptz, 50, %1$s::bigint), (10::bigint, NULL::timestamptz, 0, %1$s::bigint)$$, :cap),
                  'reversing the capture: 15 back with the expiring bucket''s expiry, 10 with priority 0, oldest bucket first');
SELECT is(wallets.balance(:c), 50::bigint, 'the wallet has its 50 back');
SELECT results_eq(format('SELECT status, captured_amount FROM wallets.holds WHERE id = %s', :ch), $$VALUES ('captured', 25::bigint)$$,
                  'the hold stays captured: the reversal is a new entry');

-- A debit partly unbacked (debt): only what buckets gave can be reversed.
SELECT id AS n FROM wallets.open_wallet('rev-neg', allow_negative => true) \gset
SELECT id AS nc FROM wallets.credit(:n, 10, expires_at => '2030-01-30 00:00:00Z') \gset
SELECT id AS nd FROM wallets.debit(:n, 25) \gset
SELECT throws_ok(format('SELECT * FROM wallets.reverse_debit(%s, 11)', :nd), 'WL003', format('debit %s on wallet %s: cannot reverse 11, 10 of its 25 are left to reverse', :nd, :n),
                 'the unpaid 15 cannot be reversed');
SELECT results_eq(format('SELECT amount, expires_at, reversal_of FROM wallets.reverse_debit(%s, 10)', :nd),
                  format($$VALUES (10::bigint, '2030-01-30 00:00:00Z'::timestamptz, %s::bigint)$$, :nd), 'the 10 the bucket gave can');
SELECT is(wallets.balance(:n), -5::bigint, 'the reversal credit repays the debt first: -15 + 10');
SELECT is((SELECT outstanding FROM wallets.debt_state WHERE transaction_id = :nd), 5::bigint, 'the debit owes 5 more');
SELECT throws_ok(format('SELECT * FROM wallets.reverse_debit(%s)', :nd), 'WL003', format('debit %s on wallet %s: cannot reverse 0, 0 of its 25 are left to reverse', :nd, :n),
                 'the reversal that repaid the debt does not make the debit reversible again');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE reversal_of = :nd), 1::bigint, 'one reversal in all');

-- Every wallet's chain, and the audit.
SELECT is_empty($$SELECT c.id FROM (SELECT t.id, t.balance_before, lag(t.balance_after, 1, 0::bigint) OVER (PARTITION BY t.wallet_id ORDER BY t.id) AS previous
                                   FROM wallets.transactions t JOIN wallets.wallets w ON w.id = t.wallet_id WHERE w.owner LIKE 'rev-%') c
                  WHERE c.balance_before <> c.previous$$, 'every balance chain is unbroken');
SELECT is_empty($$SELECT * FROM wallets.check() WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'rev-%')$$, 'the ledger is consistent');

SELECT * FROM finish();
ROLLBACK;
