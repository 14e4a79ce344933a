-- wallets.debit(wallet_id, amount, category, metadata, idempotency_key).
BEGIN;
SELECT plan(48);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_function('wallets', 'debit', ARRAY['bigint', 'bigint', 'text', 'jsonb', 'text'], 'debit(bigint, bigint, text, jsonb, text) exists');
SELECT function_returns('wallets', 'debit', ARRAY['bigint', 'bigint', 'text', 'jsonb', 'text'], 'wallets.transactions',
                        'debit returns a wallets.transactions row');

SELECT id AS w FROM wallets.open_wallet('db-alice') \gset
SELECT id AS c1 FROM wallets.credit(:w, 100) \gset

SET LOCAL wallets.clock = '2030-01-01 01:00:00Z';
CREATE TEMP TABLE d1 ON COMMIT DROP AS SELECT * FROM wallets.debit(:w, 30);
SELECT isnt((SELECT id FROM d1), NULL, 'the debit gets an id');
SELECT cmp_ok((SELECT id FROM d1), '>', :c1::bigint, 'ids grow');
SELECT is((SELECT wallet_id FROM d1), :w::bigint, 'wallet_id');
SELECT is((SELECT amount FROM d1), -30::bigint, 'the amount is stored negative');
SELECT is((SELECT category FROM d1), 'debit', 'category defaults to debit');
SELECT is((SELECT balance_before FROM d1), 100::bigint, 'balance_before');
SELECT is((SELECT balance_after FROM d1), 70::bigint, 'balance_after');
SELECT is((SELECT expires_at FROM d1), NULL, 'a debit has no expiry');
SELECT is((SELECT priority FROM d1), NULL, 'a debit has no priority');
SELECT is((SELECT metadata FROM d1), '{}'::jsonb, 'metadata defaults to {}');
SELECT is((SELECT idempotency_key FROM d1), NULL, 'idempotency_key defaults to NULL');
SELECT is((SELECT created_at FROM d1), '2030-01-01 01:00:00Z'::timestamptz, 'created_at is wallets.now()');
SELECT results_eq($$SELECT * FROM wallets.transactions WHERE id = (SELECT id FROM d1)$$, $$SELECT * FROM d1$$, 'the returned row is the stored row');
SELECT results_eq(
    format('SELECT transaction_id, source_transaction_id, amount FROM wallets.allocations WHERE wallet_id = %s', :w),
    format('VALUES ((SELECT id FROM d1), %s::bigint, 30::bigint)', :c1),
    'one allocation: 30 from the credit');
SELECT results_eq(format('SELECT remaining, status FROM wallets.buckets WHERE transaction_id = %s', :c1),
                  $$VALUES (70::bigint, 'active')$$, 'the bucket keeps 70');
SELECT is(wallets.balance(:w), 70::bigint, 'balance is 70');
SELECT is((SELECT ledger_balance FROM wallets.wallets WHERE id = :w), 70::bigint, 'the wallet cache follows');

-- Named notation, as in the issue; all arguments.
SELECT is((SELECT amount FROM wallets.debit(wallet_id => :w, amount => 5)), -5::bigint, 'wallets.debit(wallet_id => ..., amount => 5)');
SELECT results_eq(
    format($$SELECT amount, category, metadata, idempotency_key, balance_before, balance_after
             FROM wallets.debit(%s, 15, 'api_call', '{"endpoint": "/x"}', 'db-key-1')$$, :w),
    $$VALUES (-15::bigint, 'api_call', '{"endpoint": "/x"}'::jsonb, 'db-key-1', 65::bigint, 50::bigint)$$,
    'every argument is stored');
SELECT is((SELECT metadata FROM wallets.debit(wallet_id => :w, amount => 1, metadata => NULL)), '{}'::jsonb, 'metadata NULL is stored as {}');

-- Spending everything: the bucket is spent, the balance 0.
SELECT is((SELECT balance_after FROM wallets.debit(:w, 49)), 0::bigint, 'debiting the whole balance leaves 0');
SELECT results_eq(format('SELECT remaining, status FROM wallets.buckets WHERE transaction_id = %s', :c1),
                  $$VALUES (0::bigint, 'spent')$$, 'the bucket is spent');
SELECT is((SELECT sum(amount) FROM wallets.allocations WHERE wallet_id = :w AND source_transaction_id = :c1), 100::numeric,
          'the credit''s allocations add up to its amount');

-- Insufficient balance: WL001, nothing written.
CREATE TEMP TABLE before_errors ON COMMIT DROP AS
SELECT (SELECT count(*) FROM wallets.transactions WHERE wallet_id = :w) AS entries,
       (SELECT count(*) FROM wallets.allocations WHERE wallet_id = :w) AS allocations,
       (SELECT sum(remaining) FROM wallets.bucket_state WHERE wallet_id = :w) AS remaining,
       (SELECT ledger_balance FROM wallets.wallets WHERE id = :w) AS balance;
SELECT throws_ok(format('SELECT wallets.debit(%s, 1)', :w), 'WL001', format('wallet %s has 0 available, cannot debit 1', :w), 'debiting an empty wallet is WL001');
SELECT id AS c2 FROM wallets.credit(:w, 10) \gset
SELECT throws_ok(format('SELECT wallets.debit(%s, 11)', :w), 'WL001', format('wallet %s has 10 available, cannot debit 11', :w),
                 'debiting one more than the balance is WL001');
SELECT results_eq(format('SELECT remaining FROM wallets.bucket_state WHERE wallet_id = %s AND transaction_id = %s', :w, :c2),
                  'VALUES (10::bigint)', 'the refused debit did not touch the bucket');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :w), (SELECT entries + 1 FROM before_errors),
          'only the credit was written');
SELECT is((SELECT count(*) FROM wallets.allocations WHERE wallet_id = :w), (SELECT allocations FROM before_errors),
          'no allocation was written');

-- Invalid arguments.
SELECT throws_ok(format('SELECT wallets.debit(%s, 0)', :w), 'WL003', format('wallet %s: amount must be a positive whole number, got 0', :w), 'amount 0 is WL003');
SELECT throws_ok(format('SELECT wallets.debit(%s, -1)', :w), 'WL003', format('wallet %s: amount must be a positive whole number, got -1', :w), 'a negative amount is WL003');
SELECT throws_ok(format('SELECT wallets.debit(%s, NULL)', :w), 'WL003', format('wallet %s: amount must be a positive whole number, got NULL', :w), 'amount NULL is WL003');
SELECT throws_ok(format('SELECT wallets.debit(%s, 1, %L)', :w, 'API'), 'WL012', NULL, 'an upper-case category is WL012');
SELECT throws_ok(format('SELECT wallets.debit(%s, 1, NULL)', :w), 'WL012', NULL, 'category NULL is WL012');
SELECT throws_ok(format('SELECT wallets.debit(%s, 1, %L)', :w, 'expiration'), 'WL012', format('wallet %s: category ''expiration'' is reserved for the ledger', :w),
                 'the reserved category expiration is WL012');
SELECT throws_ok(format('SELECT wallets.debit(%s, 1, %L)', :w, c), 'WL012', format('wallet %s: category %L is reserved for the ledger', :w, c),
                 format('the reserved category %s is WL012', c))
FROM unnest(ARRAY['transfer_in', 'transfer_out', 'void', 'expiry_change', 'reversal']) c;
SELECT throws_ok(format('SELECT wallets.debit(%s, 1, metadata => %L)', :w, '[1, 2]'), 'WL012', format('wallet %s: metadata must be a JSON object', :w),
                 'array metadata is WL012');
SELECT throws_ok('SELECT wallets.debit(-1, 1)', 'WL002', 'wallet -1 does not exist', 'an unknown wallet is WL002');
SELECT throws_ok(format('SELECT wallets.debit(%s, 9223372036854775807)', :w), 'WL001', NULL, 'a huge debit is WL001 on a normal wallet');
SELECT is(wallets.balance(:w), 10::bigint, 'the balance is still 10');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :w), (SELECT entries + 1 FROM before_errors),
          'rejected debits wrote nothing');

SELECT is_empty(format('SELECT * FROM wallets.check(%s)', :w), 'the wallet is consistent');
SELECT isnt(obj_description('wallets.debit(bigint, bigint, text, jsonb, text)'::regprocedure, 'pg_proc'), NULL, 'debit has a comment');

SELECT * FROM finish();
ROLLBACK;
