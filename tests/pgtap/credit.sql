-- wallets.credit(wallet_id, amount, category, expires_at, metadata, idempotency_key, priority).
BEGIN;
SELECT plan(62);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_function('wallets', 'credit', ARRAY['bigint', 'bigint', 'text', 'timestamp with time zone', 'jsonb', 'text', 'integer'],
                    'credit(bigint, bigint, text, timestamptz, jsonb, text, integer) exists');
SELECT function_returns('wallets', 'credit', ARRAY['bigint', 'bigint', 'text', 'timestamp with time zone', 'jsonb', 'text', 'integer'],
                        'wallets.transactions', 'credit returns a wallets.transactions row');

SELECT id AS w FROM wallets.open_wallet('cr-alice') \gset

-- A plain credit, every default.
CREATE TEMP TABLE c1 ON COMMIT DROP AS SELECT * FROM wallets.credit(:w, 100);
SELECT isnt((SELECT id FROM c1), NULL, 'the credit gets an id');
SELECT is((SELECT wallet_id FROM c1), :w::bigint, 'wallet_id');
SELECT is((SELECT amount FROM c1), 100::bigint, 'amount is positive');
SELECT is((SELECT category FROM c1), 'credit', 'category defaults to credit');
SELECT is((SELECT expires_at FROM c1), NULL, 'expires_at defaults to NULL (never)');
SELECT is((SELECT priority FROM c1), 50, 'priority defaults to 50');
SELECT is((SELECT balance_before FROM c1), 0::bigint, 'balance_before of the first entry is 0');
SELECT is((SELECT balance_after FROM c1), 100::bigint, 'balance_after = balance_before + amount');
SELECT is((SELECT metadata FROM c1), '{}'::jsonb, 'metadata defaults to {}');
SELECT is((SELECT idempotency_key FROM c1), NULL, 'idempotency_key defaults to NULL');
SELECT is((SELECT created_at FROM c1), '2030-01-01 00:00:00Z'::timestamptz, 'created_at is wallets.now()');
SELECT results_eq($$SELECT * FROM wallets.transactions WHERE id = (SELECT id FROM c1)$$, $$SELECT * FROM c1$$,
                  'the returned row is the stored row');

-- It creates a bucket.
SELECT results_eq(
    $$SELECT wallet_id, category, amount, remaining, expires_at, priority, status, created_at FROM wallets.buckets WHERE transaction_id = (SELECT id FROM c1)$$,
    format($$VALUES (%s::bigint, 'credit', 100::bigint, 100::bigint, NULL::timestamptz, 50, 'active', '2030-01-01 00:00:00Z'::timestamptz)$$, :w),
    'the credit is a new active bucket holding its whole amount');
SELECT is((SELECT ledger_balance FROM wallets.wallets WHERE id = :w), 100::bigint, 'the wallet''s ledger_balance is updated');
SELECT is((SELECT expiry_floor FROM wallets.wallets WHERE id = :w), NULL, 'a never-expiring credit leaves no expiry floor');
SELECT is(wallets.balance(:w), 100::bigint, 'balance is 100');
SELECT is_empty(format('SELECT * FROM wallets.allocations WHERE wallet_id = %s', :w), 'a credit on a wallet without debt allocates nothing');

-- Every argument given.
CREATE TEMP TABLE c2 ON COMMIT DROP AS
SELECT * FROM wallets.credit(:w, 50, 'signup_bonus', '2030-02-01 00:00:00Z', '{"campaign": "jan"}', 'cr-key-1', 10);
SELECT results_eq(
    $$SELECT amount, category, expires_at, priority, balance_before, balance_after, metadata, idempotency_key FROM c2$$,
    $$VALUES (50::bigint, 'signup_bonus', '2030-02-01 00:00:00Z'::timestamptz, 10, 100::bigint, 150::bigint, '{"campaign": "jan"}'::jsonb, 'cr-key-1')$$,
    'every argument is stored; balance_before is the previous balance_after');
SELECT results_eq(
    $$SELECT remaining, expires_at, priority, status FROM wallets.buckets WHERE transaction_id = (SELECT id FROM c2)$$,
    $$VALUES (50::bigint, '2030-02-01 00:00:00Z'::timestamptz, 10, 'active')$$,
    'the bucket copies expires_at and priority');
SELECT is((SELECT expiry_floor FROM wallets.wallets WHERE id = :w), '2030-02-01 00:00:00Z'::timestamptz, 'an expiring credit lowers the expiry floor');
SELECT is(wallets.balance(:w), 150::bigint, 'balance is 150');

-- Named notation, priority boundaries.
SELECT is((SELECT priority FROM wallets.credit(wallet_id => :w, amount => 1, priority => 0)), 0, 'priority 0 is accepted (named notation)');
SELECT is((SELECT priority FROM wallets.credit(wallet_id => :w, amount => 1, priority => 100)), 100, 'priority 100 is accepted');
SELECT is((SELECT category FROM wallets.credit(wallet_id => :w, amount => 1, category => 'a' || repeat('z', 63))), 'a' || repeat('z', 63),
          'a 64-character category is accepted');
SELECT is((SELECT category FROM wallets.credit(wallet_id => :w, amount => 1, category => 'refund_2')), 'refund_2',
          'digits and underscores are accepted in a category');
SELECT is((SELECT metadata FROM wallets.credit(wallet_id => :w, amount => 1, metadata => NULL)), '{}'::jsonb, 'metadata NULL is stored as {}');
SELECT is((SELECT expires_at FROM wallets.credit(wallet_id => :w, amount => 1, expires_at => '2030-01-01 00:00:00.000001Z')),
          '2030-01-01 00:00:00.000001Z'::timestamptz, 'an expiry one microsecond after now is accepted');
SELECT is(wallets.balance(:w), 156::bigint, 'balance is 156 after six credits');
SELECT is((SELECT count(*) FROM wallets.bucket_state WHERE wallet_id = :w), 8::bigint, 'one bucket per credit');

-- Rejected credits write nothing.
CREATE TEMP TABLE before_errors ON COMMIT DROP AS
SELECT (SELECT count(*) FROM wallets.transactions WHERE wallet_id = :w) AS entries,
       (SELECT count(*) FROM wallets.bucket_state WHERE wallet_id = :w) AS buckets,
       (SELECT ledger_balance FROM wallets.wallets WHERE id = :w) AS balance;

SELECT throws_ok(format('SELECT wallets.credit(%s, 0)', :w), 'WL003', format('wallet %s: amount must be a positive whole number, got 0', :w), 'amount 0 is WL003');
SELECT throws_ok(format('SELECT wallets.credit(%s, -5)', :w), 'WL003', format('wallet %s: amount must be a positive whole number, got -5', :w), 'a negative amount is WL003');
SELECT throws_ok(format('SELECT wallets.credit(%s, NULL)', :w), 'WL003', format('wallet %s: amount must be a positive whole number, got NULL', :w), 'amount NULL is WL003');
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, %L)', :w, 'Bonus'), 'WL012', format('wallet %s: category ''Bonus'' must match ^[a-z][a-z0-9_]{0,63}$', :w),
                 'an upper-case category is WL012');
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, %L)', :w, '1bonus'), 'WL012', NULL, 'a category starting with a digit is WL012');
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, %L)', :w, 'sign-up'), 'WL012', NULL, 'a category with a dash is WL012');
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, %L)', :w, ''), 'WL012', NULL, 'an empty category is WL012');
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, NULL)', :w), 'WL012', NULL, 'category NULL is WL012');
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, %L)', :w, 'a' || repeat('z', 64)), 'WL012', NULL, 'a 65-character category is WL012');
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, %L)', :w, 'expiration'), 'WL012', format('wallet %s: category ''expiration'' is reserved for the ledger', :w),
                 'the reserved category expiration is WL012');
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, %L)', :w, c), 'WL012', format('wallet %s: category %L is reserved for the ledger', :w, c),
                 format('the reserved category %s is WL012', c))
FROM unnest(ARRAY['transfer_in', 'transfer_out', 'void', 'expiry_change', 'reversal']) c;
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, metadata => %L)', :w, '[]'), 'WL012', format('wallet %s: metadata must be a JSON object', :w),
                 'array metadata is WL012');
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, priority => -1)', :w), 'WL012', format('wallet %s: priority must be between 0 and 100, got -1', :w), 'priority -1 is WL012');
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, priority => 101)', :w), 'WL012', format('wallet %s: priority must be between 0 and 100, got 101', :w), 'priority 101 is WL012');
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, priority => NULL)', :w), 'WL012', format('wallet %s: priority must be between 0 and 100, got NULL', :w), 'priority NULL is WL012');
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, expires_at => %L)', :w, '2030-01-01 00:00:00Z'), 'WL005',
                 format('credit to wallet %s expires at 2030-01-01 00:00:00+00, not after now (2030-01-01 00:00:00+00)', :w),
                 'an expiry equal to now is WL005');
SELECT throws_ok(format('SELECT wallets.credit(%s, 1, expires_at => %L)', :w, '2029-12-31 23:59:59.999999Z'), 'WL005', NULL,
                 'an expiry in the past is WL005');
SELECT throws_ok('SELECT wallets.credit(-1, 1)', 'WL002', 'wallet -1 does not exist', 'an unknown wallet is WL002');
SELECT throws_ok('SELECT wallets.credit(NULL, 1)', 'WL002', 'wallet NULL does not exist', 'wallet NULL is WL002');
SELECT throws_ok(format('SELECT wallets.credit(%s, 9223372036854775807)', :w), 'WL003',
                 format('credit of 9223372036854775807 would overflow the balance of wallet %s', :w), 'a credit overflowing the balance is WL003');
SELECT results_eq(
    format($$SELECT (SELECT count(*) FROM wallets.transactions WHERE wallet_id = %1$s), (SELECT count(*) FROM wallets.bucket_state WHERE wallet_id = %1$s),
                    (SELECT ledger_balance FROM wallets.wallets WHERE id = %1$s)$$, :w),
    'SELECT entries, buckets, balance FROM before_errors',
    'rejected credits wrote nothing');

-- Overflow boundary: a wallet may hold exactly the bigint maximum, not one more.
SELECT id AS big FROM wallets.open_wallet('cr-bob') \gset
SELECT is((SELECT balance_after FROM wallets.credit(:big, 9223372036854775806)), 9223372036854775806::bigint, 'a credit of max - 1');
SELECT is((SELECT balance_after FROM wallets.credit(:big, 1)), 9223372036854775807::bigint, 'the balance can reach the bigint maximum');
SELECT throws_ok(format('SELECT wallets.credit(%s, 1)', :big), 'WL003', NULL, 'one more credit is WL003');
SELECT is(wallets.balance(:big), 9223372036854775807::bigint, 'the balance stays at the maximum');

SELECT is_empty('SELECT * FROM wallets.check()', 'the ledger is consistent');
SELECT isnt(obj_description('wallets.credit(bigint, bigint, text, timestamptz, jsonb, text, integer)'::regprocedure, 'pg_proc'), NULL,
            'credit has a comment');

SELECT * FROM finish();
ROLLBACK;
