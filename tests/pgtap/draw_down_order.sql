-- Debits draw buckets down by priority ascending, then expires_at ascending (never-expiring
-- last), then bucket id; one allocation row per bucket touched.
BEGIN;
SELECT plan(17);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

-- The worked example of the issue: +100 (10 days), +100 (20 days), +100 (never); debit 150.
SELECT id AS w FROM wallets.open_wallet('dd-example') \gset
SELECT id AS c10 FROM wallets.credit(:w, 100, expires_at => '2030-01-11 00:00:00Z') \gset
SELECT id AS c20 FROM wallets.credit(:w, 100, expires_at => '2030-01-21 00:00:00Z') \gset
SELECT id AS cnever FROM wallets.credit(:w, 100) \gset
SELECT id AS d1 FROM wallets.debit(:w, 150) \gset
SELECT results_eq(
    format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE wallet_id = %s AND transaction_id = %s ORDER BY amount DESC', :w, :d1),
    format('VALUES (%s::bigint, 100::bigint), (%s::bigint, 50::bigint)', :c10, :c20),
    'debit 150: 100 from the 10-day bucket, 50 from the 20-day bucket, nothing from the never-expiring one');
SELECT results_eq(
    format('SELECT transaction_id, remaining, status FROM wallets.buckets WHERE wallet_id = %s ORDER BY transaction_id', :w),
    format($$VALUES (%s::bigint, 0::bigint, 'spent'), (%s::bigint, 50::bigint, 'active'), (%s::bigint, 100::bigint, 'active')$$, :c10, :c20, :cnever),
    'remaining: 0, 50, 100');
SELECT id AS d2 FROM wallets.debit(:w, 100) \gset
SELECT results_eq(
    format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE wallet_id = %s AND transaction_id = %s ORDER BY source_transaction_id', :w, :d2),
    format('VALUES (%s::bigint, 50::bigint), (%s::bigint, 50::bigint)', :c20, :cnever),
    'the next debit finishes the 20-day bucket, then takes from the never-expiring one');
SELECT is(wallets.balance(:w), 50::bigint, 'balance is 50');

-- Priority beats expiry: p100 expiring soonest, p50 expiring later, p0 never expiring.
SELECT id AS w FROM wallets.open_wallet('dd-priority') \gset
SELECT id AS p100 FROM wallets.credit(:w, 10, expires_at => '2030-01-02 00:00:00Z', priority => 100) \gset
SELECT id AS p50 FROM wallets.credit(:w, 10, expires_at => '2030-01-05 00:00:00Z') \gset
SELECT id AS p0 FROM wallets.credit(:w, 10, priority => 0) \gset
SELECT id AS p50b FROM wallets.credit(:w, 10, expires_at => '2030-01-03 00:00:00Z', priority => 50) \gset
SELECT id AS d FROM wallets.debit(:w, 5) \gset
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s', :d),
                  format('VALUES (%s::bigint, 5::bigint)', :p0), 'priority 0 goes first, even never-expiring');
SELECT id AS d FROM wallets.debit(:w, 10) \gset
SELECT set_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s', :d),
              format('VALUES (%s::bigint, 5::bigint), (%s::bigint, 5::bigint)', :p0, :p50b),
              'then priority 50, earliest expiry first');
SELECT id AS d FROM wallets.debit(:w, 10) \gset
SELECT set_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s', :d),
              format('VALUES (%s::bigint, 5::bigint), (%s::bigint, 5::bigint)', :p50b, :p50),
              'then the later-expiring priority-50 bucket');
SELECT id AS d FROM wallets.debit(:w, 10) \gset
SELECT set_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s', :d),
              format('VALUES (%s::bigint, 5::bigint), (%s::bigint, 5::bigint)', :p50, :p100),
              'priority 100 goes last although it expires first');
SELECT is(wallets.balance(:w), 5::bigint, '5 left, in the priority-100 bucket');

-- Ties: same priority and expiry, or both never expiring, go by bucket id (oldest first).
SELECT id AS w FROM wallets.open_wallet('dd-ties') \gset
SELECT id AS n1 FROM wallets.credit(:w, 10, 'grant') \gset
SELECT id AS e1 FROM wallets.credit(:w, 10, expires_at => '2030-03-01 00:00:00Z') \gset
SELECT id AS e2 FROM wallets.credit(:w, 10, expires_at => '2030-03-01 00:00:00Z') \gset
SELECT id AS n2 FROM wallets.credit(:w, 10, 'grant') \gset
SELECT id AS e3 FROM wallets.credit(:w, 10, expires_at => '2030-02-01 00:00:00Z') \gset
-- Expected order: e3 (earliest expiry), e1, e2 (same expiry, by id), n1, n2 (never, by id).
SELECT id AS d FROM wallets.debit(:w, 35) \gset
SELECT set_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s', :d),
              format('VALUES (%s::bigint, 10::bigint), (%s::bigint, 10::bigint), (%s::bigint, 10::bigint), (%s::bigint, 5::bigint)', :e3, :e1, :e2, :n1),
              'earliest expiry, then equal expiries by id, then never-expiring by id; one allocation per bucket');
SELECT is((SELECT count(*) FROM wallets.allocations WHERE transaction_id = :d), 4::bigint, 'four buckets touched, four allocation rows');
SELECT is((SELECT sum(amount) FROM wallets.allocations WHERE transaction_id = :d), 35::numeric, 'the allocations add up to the debit');
SELECT id AS d FROM wallets.debit(:w, 6) \gset
SELECT set_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s', :d),
              format('VALUES (%s::bigint, 5::bigint), (%s::bigint, 1::bigint)', :n1, :n2),
              'a partly used bucket is finished before the next one');
SELECT id AS d FROM wallets.debit(:w, 2) \gset
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s', :d),
                  format('VALUES (%s::bigint, 2::bigint)', :n2), 'a debit that fits in one bucket makes a single allocation');
SELECT is_empty(format('SELECT * FROM wallets.allocations WHERE wallet_id = %s AND amount <= 0', :w), 'no empty allocation rows');
SELECT results_eq(format('SELECT transaction_id, remaining FROM wallets.bucket_state WHERE wallet_id = %s ORDER BY transaction_id', :w),
                  format('VALUES (%s::bigint, 0::bigint), (%s::bigint, 0::bigint), (%s::bigint, 0::bigint), (%s::bigint, 7::bigint), (%s::bigint, 0::bigint)',
                         :n1, :e1, :e2, :n2, :e3),
                  'remaining per bucket');

SELECT is_empty($$SELECT * FROM wallets.check() WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'dd-%')$$,
                'the ledger is consistent');

SELECT * FROM finish();
ROLLBACK;
