-- wallets.void_credit(transaction_id, reason): a 'void' entry removing what is left (free) of a
-- credit's bucket, allocated against it. The credit itself is never edited.
BEGIN;
SELECT plan(38);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_function('wallets', 'void_credit', ARRAY['bigint', 'text'], 'void_credit(bigint, text) exists');
SELECT function_returns('wallets', 'void_credit', ARRAY['bigint', 'text'], 'wallets.transactions', 'void_credit returns a wallets.transactions row');
SELECT isnt(obj_description('wallets.void_credit(bigint, text)'::regprocedure, 'pg_proc'), NULL, 'void_credit has a comment');

SELECT id AS v FROM wallets.open_wallet('void-alice') \gset
SELECT id AS c1 FROM wallets.credit(:v, 100, 'grant', '2030-01-10 00:00:00Z', '{"grant": 1}', priority => 20) \gset
SELECT id AS c2 FROM wallets.credit(:v, 50) \gset
SELECT id AS d FROM wallets.debit(:v, 30) \gset
CREATE TEMP TABLE c1_row ON COMMIT DROP AS SELECT * FROM wallets.transactions WHERE id = :c1;

SET LOCAL wallets.clock = '2030-01-02 00:00:00Z';
CREATE TEMP TABLE v1 ON COMMIT DROP AS SELECT * FROM wallets.void_credit(:c1, 'fraud');
SELECT results_eq(
    'SELECT wallet_id, amount, category, expires_at, priority, balance_before, balance_after, metadata, idempotency_key, created_at, transfer_id, hold_id, reversal_of FROM v1',
    format($$VALUES (%s::bigint, -70::bigint, 'void', NULL::timestamptz, NULL::integer, 120::bigint, 50::bigint,
                     jsonb_build_object('voided_transaction_id', %s, 'reason', 'fraud'), NULL::text, '2030-01-02 00:00:00Z'::timestamptz,
                     NULL::bigint, NULL::bigint, NULL::bigint)$$, :v, :c1),
    'a void entry of -70 (what the debit left of the 100), naming the credit and the reason');
SELECT results_eq(format('SELECT * FROM wallets.transactions WHERE id = %s', (SELECT id FROM v1)), 'SELECT * FROM v1', 'the returned row is the stored row');
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s', (SELECT id FROM v1)),
                  format('VALUES (%s::bigint, 70::bigint)', :c1), 'allocated against the voided credit''s bucket');
SELECT results_eq(format('SELECT * FROM wallets.transactions WHERE id = %s', :c1), 'SELECT * FROM c1_row', 'the credit itself is unchanged');
SELECT results_eq(format('SELECT remaining, held, expired FROM wallets.bucket_state WHERE transaction_id = %s', :c1), 'VALUES (0::bigint, 0::bigint, false)',
                  'the bucket is emptied, not flagged expired');
SELECT results_eq(format('SELECT amount, remaining, status FROM wallets.buckets WHERE transaction_id = %s', :c1), $$VALUES (100::bigint, 0::bigint, 'spent')$$,
                  'the buckets view shows it spent');
SELECT is((SELECT sum(amount) FROM wallets.allocations WHERE source_transaction_id = :c1), 100::numeric, 'debit and void together took the whole 100');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :v), 'VALUES (50::bigint, 0::bigint, 50::bigint)',
                  'balances: 50 left');
SELECT is(wallets.balance(:v), 50::bigint, 'balance 50');
SELECT results_eq(
    format('SELECT category, amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :v),
    $$VALUES ('grant', 100::bigint, 0::bigint, 100::bigint), ('credit', 50::bigint, 100::bigint, 150::bigint),
             ('debit', -30::bigint, 150::bigint, 120::bigint), ('void', -70::bigint, 120::bigint, 50::bigint)$$,
    'the balance chain');
SET LOCAL wallets.clock = '2030-01-10 00:00:00Z';
SELECT is(wallets.expire_due(), 0::bigint, 'at the credit''s expiry the voided bucket has nothing left to expire');
SET LOCAL wallets.clock = '2030-01-02 00:00:00Z';

-- Without a reason.
SELECT is((SELECT metadata FROM wallets.void_credit(:c2)), jsonb_build_object('voided_transaction_id', :c2), 'no reason: the metadata names the credit only');
SELECT is(wallets.balance(:v), 0::bigint, 'balance 0');

-- Refused: nothing written.
CREATE TEMP TABLE before_errors ON COMMIT DROP AS SELECT count(*) AS n FROM wallets.transactions;
SELECT throws_ok(format('SELECT wallets.void_credit(%s)', :c1), 'WL012', format('credit %s on wallet %s has nothing left to void', :c1, :v),
                 'voiding a voided credit is WL012');
SELECT throws_ok(format('SELECT wallets.void_credit(%s)', :d), 'WL012', format('transaction %s on wallet %s is not a credit: only a credit can be voided', :d, :v),
                 'voiding a debit is WL012');
SELECT throws_ok(format('SELECT wallets.void_credit(%s)', (SELECT id FROM v1)), 'WL012',
                 format('transaction %s on wallet %s is not a credit: only a credit can be voided', (SELECT id FROM v1), :v), 'voiding a void entry is WL012');
SELECT throws_ok('SELECT wallets.void_credit(-1)', 'WL012', 'transaction -1 does not exist', 'an unknown transaction is WL012');
SELECT throws_ok('SELECT wallets.void_credit(NULL)', 'WL012', 'transaction NULL does not exist', 'transaction NULL is WL012');
SELECT is((SELECT count(*) FROM wallets.transactions), (SELECT n FROM before_errors), 'the refused voids wrote nothing');
CREATE FUNCTION pg_temp.detail(statement text) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    detail text;
BEGIN
    EXECUTE statement;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN detail::jsonb;
END
$fn$;
SELECT is(pg_temp.detail(format('SELECT wallets.void_credit(%s)', :c1)),
          jsonb_build_object('code', 'WL012', 'error', 'invalid_argument', 'wallet_id', :v, 'transaction_id', :c1, 'remaining', 0),
          'WL012 DETAIL: wallet_id, transaction_id, remaining');

-- A bucket past its expiry has been expired by the sweep: nothing left to void.
SELECT id AS e FROM wallets.open_wallet('void-expired') \gset
SELECT id AS e1 FROM wallets.credit(:e, 10, expires_at => '2030-01-03 00:00:00Z') \gset
SET LOCAL wallets.clock = '2030-01-03 00:00:00Z';
SELECT throws_ok(format('SELECT wallets.void_credit(%s)', :e1), 'WL012', format('credit %s on wallet %s has nothing left to void', :e1, :e),
                 'voiding at the bucket''s expiry is WL012');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :e), 1::bigint, '... and the sweep it ran was rolled back with it');
SET LOCAL wallets.clock = '2030-01-02 00:00:00Z';

-- Credits reserved by a hold stay with the hold.
SELECT id AS h FROM wallets.open_wallet('void-held') \gset
SELECT id AS hc FROM wallets.credit(:h, 50) \gset
SELECT id AS hh FROM wallets.hold(:h, 20, '2030-01-05 00:00:00Z') \gset
SELECT is((SELECT amount FROM wallets.void_credit(:hc)), -30::bigint, 'voiding a partly held credit removes the free 30 only');
SELECT results_eq(format('SELECT remaining, held, status FROM wallets.buckets WHERE transaction_id = %s', :hc), $$VALUES (20::bigint, 20::bigint, 'active')$$,
                  'the bucket keeps the 20 held');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :h), 'VALUES (20::bigint, 20::bigint, 0::bigint)',
                  'balances: 20 posted and held, nothing available');
SELECT throws_ok(format('SELECT wallets.void_credit(%s)', :hc), 'WL012', format('credit %s on wallet %s has nothing left to void', :hc, :h),
                 'with everything left held, there is nothing to void');
SELECT is((SELECT amount FROM wallets.capture(:hh, 5)), -5::bigint, 'the hold can still be captured, in part');
SELECT is((SELECT amount FROM wallets.void_credit(:hc, 'cleanup')), -15::bigint, 'the released 15 can then be voided');
SELECT results_eq(
    format('SELECT category, amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :h),
    $$VALUES ('credit', 50::bigint, 0::bigint, 50::bigint), ('void', -30::bigint, 50::bigint, 20::bigint),
             ('debit', -5::bigint, 20::bigint, 15::bigint), ('void', -15::bigint, 15::bigint, 0::bigint)$$,
    'the balance chain');
SELECT results_eq(format('SELECT remaining, held, status FROM wallets.buckets WHERE transaction_id = %s', :hc), $$VALUES (0::bigint, 0::bigint, 'spent')$$,
                  'the bucket is spent');

-- Any credit can be voided, an inbound transfer leg included; the transfer stays balanced.
SELECT id AS s FROM wallets.open_wallet('void-sender') \gset
SELECT id AS r FROM wallets.open_wallet('void-receiver') \gset
SELECT lives_ok(format('SELECT wallets.credit(%s, 30)', :s), 'the sender has 30');
SELECT id AS t FROM wallets.transfer(:s, :r, 10) \gset
SELECT id AS leg FROM wallets.transactions WHERE transfer_id = :t AND category = 'transfer_in' \gset
SELECT results_eq(format('SELECT amount, category, transfer_id FROM wallets.void_credit(%s)', :leg), $$VALUES (-10::bigint, 'void', NULL::bigint)$$,
                  'voiding the inbound leg: a void entry, not a leg of the transfer');
SELECT is(wallets.balance(:r), 0::bigint, 'the receiver has nothing left');
SELECT is(wallets.balance(:s), 20::bigint, 'the sender is not refunded');

SELECT is_empty($$SELECT * FROM wallets.check() WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'void-%')$$, 'the ledger is consistent');

SELECT * FROM finish();
ROLLBACK;
