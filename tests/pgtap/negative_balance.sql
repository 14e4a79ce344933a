-- allow_negative wallets: the uncovered part of a debit becomes debt, repaid first by later credits.
BEGIN;
SELECT plan(35);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

-- The issue's example: 10, debit 25 -> -15; credit 20 -> 5, that bucket keeps 5.
SELECT id AS w FROM wallets.open_wallet('neg-alice', allow_negative => true) \gset
SELECT id AS c1 FROM wallets.credit(:w, 10) \gset
CREATE TEMP TABLE d1 ON COMMIT DROP AS SELECT * FROM wallets.debit(:w, 25);
SELECT results_eq('SELECT amount, balance_before, balance_after FROM d1', 'VALUES (-25::bigint, 10::bigint, -15::bigint)',
                  'debit 25 from 10: balance_after -15');
SELECT is(wallets.balance(:w), -15::bigint, 'balance -15');
SELECT results_eq(format('SELECT ledger_balance, debt FROM wallets.wallets WHERE id = %s', :w), 'VALUES (-15::bigint, 15::bigint)',
                  'ledger_balance -15, debt 15');
SELECT results_eq('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = (SELECT id FROM d1)',
                  format('VALUES (%s::bigint, 10::bigint)', :c1), 'the debit drew the 10 the wallet had');
SELECT results_eq(format('SELECT transaction_id, outstanding FROM wallets.debt_state WHERE wallet_id = %s', :w),
                  'SELECT id, 15::bigint FROM d1', 'the other 15 are outstanding on the debit');
SELECT is((SELECT status FROM wallets.buckets WHERE transaction_id = :c1), 'spent', 'the first bucket is spent');

CREATE TEMP TABLE c2 ON COMMIT DROP AS SELECT * FROM wallets.credit(:w, 20);
SELECT results_eq('SELECT amount, balance_before, balance_after FROM c2', 'VALUES (20::bigint, -15::bigint, 5::bigint)',
                  'credit 20: balance_before -15, balance_after 5');
SELECT is(wallets.balance(:w), 5::bigint, 'balance 5');
SELECT results_eq('SELECT remaining, status FROM wallets.buckets WHERE transaction_id = (SELECT id FROM c2)', $$VALUES (5::bigint, 'active')$$,
                  'the new bucket keeps 5: the debt was repaid first');
SELECT results_eq('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = (SELECT id FROM d1) ORDER BY source_transaction_id',
                  format('VALUES (%s::bigint, 10::bigint), ((SELECT id FROM c2), 15::bigint)', :c1),
                  'the repayment is an allocation of the debit against the new credit');
SELECT is((SELECT outstanding FROM wallets.debt_state WHERE transaction_id = (SELECT id FROM d1)), 0::bigint, 'nothing outstanding');
SELECT results_eq(format('SELECT ledger_balance, debt FROM wallets.wallets WHERE id = %s', :w), 'VALUES (5::bigint, 0::bigint)',
                  'ledger_balance 5, debt 0');
SELECT is((SELECT amount FROM wallets.debit(:w, 5)), -5::bigint, 'the remaining 5 can be spent');
SELECT is(wallets.balance(:w), 0::bigint, 'balance 0');

-- Debts from zero, several, repaid oldest first, partly.
SELECT id AS w FROM wallets.open_wallet('neg-bob', allow_negative => true) \gset
SELECT id AS e1 FROM wallets.debit(:w, 7) \gset
SELECT id AS e2 FROM wallets.debit(:w, 4) \gset
SELECT is(wallets.balance(:w), -11::bigint, 'two debits from an empty wallet: -11');
SELECT is_empty(format('SELECT * FROM wallets.allocations WHERE wallet_id = %s', :w), 'no bucket to draw from: no allocations');
SELECT results_eq(format('SELECT transaction_id, outstanding FROM wallets.debt_state WHERE wallet_id = %s ORDER BY transaction_id', :w),
                  format('VALUES (%s::bigint, 7::bigint), (%s::bigint, 4::bigint)', :e1, :e2), 'each debit owes its whole amount');
SELECT id AS f1 FROM wallets.credit(:w, 9, expires_at => '2030-02-01 00:00:00Z') \gset
SELECT results_eq(format('SELECT transaction_id, source_transaction_id, amount FROM wallets.allocations WHERE wallet_id = %s ORDER BY transaction_id', :w),
                  format('VALUES (%s::bigint, %s::bigint, 7::bigint), (%s::bigint, %s::bigint, 2::bigint)', :e1, :f1, :e2, :f1),
                  'credit 9 repays the oldest debt (7) in full, then 2 of the next');
SELECT results_eq(format('SELECT remaining, status FROM wallets.buckets WHERE transaction_id = %s', :f1), $$VALUES (0::bigint, 'spent')$$,
                  'a credit wholly used to repay debt leaves a spent bucket');
SELECT is((SELECT expiry_floor FROM wallets.wallets WHERE id = :w), NULL, '... and sets no expiry floor');
SELECT results_eq(format('SELECT ledger_balance, debt FROM wallets.wallets WHERE id = %s', :w), 'VALUES (-2::bigint, 2::bigint)',
                  'ledger_balance -2, debt 2');
SELECT is(wallets.balance(:w), -2::bigint, 'balance -2');
SELECT id AS f2 FROM wallets.credit(:w, 10, expires_at => '2030-02-01 00:00:00Z') \gset
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE wallet_id = %s AND transaction_id = %s ORDER BY amount', :w, :e2),
                  format('VALUES (%s::bigint, 2::bigint), (%s::bigint, 2::bigint)', :f1, :f2), 'the next credit repays the last 2');
SELECT is((SELECT remaining FROM wallets.buckets WHERE transaction_id = :f2), 8::bigint, 'and keeps 8');
SELECT is((SELECT expiry_floor FROM wallets.wallets WHERE id = :w), '2030-02-01 00:00:00Z'::timestamptz, 'its remainder sets the expiry floor');
SELECT is(wallets.balance(:w), 8::bigint, 'balance 8');
-- Debt is not touched by expiry: the 8 expire, no debt left to repay.
SET LOCAL wallets.clock = '2030-02-01 00:00:00Z';
SELECT is(wallets.balance(:w), 0::bigint, 'the bucket expires');
SELECT results_eq(format('SELECT amount, balance_after FROM wallets.debit(%s, 3)', :w), 'VALUES (-3::bigint, -3::bigint)',
                  'a debit after expiry goes negative from the live balance 0');
SELECT results_eq(format('SELECT category, amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s ORDER BY id DESC LIMIT 2', :w),
                  $$VALUES ('debit', -3::bigint, 0::bigint, -3::bigint), ('expiration', -8::bigint, 8::bigint, 0::bigint)$$,
                  'after the expiration of the 8');

-- A wallet without allow_negative never goes below 0.
SELECT id AS w FROM wallets.open_wallet('neg-carol') \gset
SELECT lives_ok(format('SELECT wallets.credit(%s, 10)', :w), 'credit 10');
SELECT throws_ok(format('SELECT wallets.debit(%s, 25)', :w), 'WL001', format('wallet %s has 10 available, cannot debit 25', :w),
                 'debit 25 from 10 is WL001 without allow_negative');
SELECT is(wallets.balance(:w), 10::bigint, 'balance still 10');

-- Overflow on the negative side is WL003.
SELECT id AS w FROM wallets.open_wallet('neg-dave', allow_negative => true) \gset
SELECT is((SELECT balance_after FROM wallets.debit(:w, 9223372036854775807)), -9223372036854775807::bigint, 'a debit down to -max');
SELECT throws_ok(format('SELECT wallets.debit(%s, 1)', :w), 'WL003', format('debit of 1 would overflow the balance of wallet %s', :w),
                 'one more is WL003');

SELECT is_empty($$SELECT * FROM wallets.check() WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'neg-%')$$,
                'the ledger is consistent');

SELECT * FROM finish();
ROLLBACK;
