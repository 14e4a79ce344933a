-- Idempotency keys: unique per wallet; a replay with the same arguments returns the original
-- entry and writes nothing; the same key with other arguments is WL006.
BEGIN;
SELECT plan(38);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT id AS w FROM wallets.open_wallet('idem-alice') \gset
SELECT id AS w2 FROM wallets.open_wallet('idem-bob') \gset

CREATE TEMP TABLE original ON COMMIT DROP AS
SELECT * FROM wallets.credit(:w, 100, 'purchase', '2030-06-01 00:00:00Z', '{"order": 17}', 'order-17', 20);
SELECT is((SELECT idempotency_key FROM original), 'order-17', 'the key is stored on the entry');

CREATE TEMP TABLE counts ON COMMIT DROP AS
SELECT (SELECT count(*) FROM wallets.transactions WHERE wallet_id = :w) AS entries,
       (SELECT count(*) FROM wallets.bucket_state WHERE wallet_id = :w) AS buckets,
       (SELECT count(*) FROM wallets.allocations WHERE wallet_id = :w) AS allocations;
CREATE TEMP VIEW now_counts AS
SELECT (SELECT count(*) FROM wallets.transactions WHERE wallet_id = w.id) AS entries,
       (SELECT count(*) FROM wallets.bucket_state WHERE wallet_id = w.id) AS buckets,
       (SELECT count(*) FROM wallets.allocations WHERE wallet_id = w.id) AS allocations
FROM wallets.wallets w WHERE w.owner = 'idem-alice';

-- Credit replay, later, with the same arguments.
SET LOCAL wallets.clock = '2030-01-02 00:00:00Z';
SELECT results_eq(
    format($$SELECT * FROM wallets.credit(%s, 100, 'purchase', '2030-06-01 00:00:00Z', '{"order": 17}', 'order-17', 20)$$, :w),
    'SELECT * FROM original', 'a credit replay returns the original row, created_at and balances included');
SELECT results_eq(
    format($$SELECT id FROM wallets.credit(wallet_id => %s, amount => 100, category => 'purchase', expires_at => '2030-06-01 02:00:00+02',
                                           metadata => '{"order": 17}', idempotency_key => 'order-17', priority => 20)$$, :w),
    'SELECT id FROM original', 'the same arguments in named notation (the same instant in another offset) replay');
SELECT results_eq('SELECT * FROM now_counts', 'SELECT * FROM counts', 'the replays wrote nothing');
SELECT is(wallets.balance(:w), 100::bigint, 'balance unchanged: 100');

-- Credit: the same key with other arguments.
SELECT throws_ok(format($$SELECT wallets.credit(%s, 101, 'purchase', '2030-06-01 00:00:00Z', '{"order": 17}', 'order-17', 20)$$, :w),
                 'WL006', format($$idempotency key 'order-17' on wallet %s was used by transaction %s with other arguments$$, :w, (SELECT id FROM original)),
                 'another amount is WL006');
SELECT throws_ok(format($$SELECT wallets.credit(%s, 100, 'refund', '2030-06-01 00:00:00Z', '{"order": 17}', 'order-17', 20)$$, :w),
                 'WL006', NULL, 'another category is WL006');
SELECT throws_ok(format($$SELECT wallets.credit(%s, 100, 'purchase', '2030-06-02 00:00:00Z', '{"order": 17}', 'order-17', 20)$$, :w),
                 'WL006', NULL, 'another expires_at is WL006');
SELECT throws_ok(format($$SELECT wallets.credit(%s, 100, 'purchase', NULL, '{"order": 17}', 'order-17', 20)$$, :w),
                 'WL006', NULL, 'no expires_at instead of one is WL006');
SELECT throws_ok(format($$SELECT wallets.credit(%s, 100, 'purchase', '2030-06-01 00:00:00Z', '{"order": 18}', 'order-17', 20)$$, :w),
                 'WL006', NULL, 'other metadata is WL006');
SELECT throws_ok(format($$SELECT wallets.credit(%s, 100, 'purchase', '2030-06-01 00:00:00Z', '{"order": 17}', 'order-17', 50)$$, :w),
                 'WL006', NULL, 'another priority is WL006');
SELECT throws_ok(format($$SELECT wallets.credit(%s, 100, 'purchase', '2030-06-01 00:00:00Z', '{"order": 17}', 'order-17')$$, :w),
                 'WL006', NULL, 'the default priority instead of the original one is WL006');
SELECT throws_ok(format($$SELECT wallets.debit(%s, 100, 'purchase', '{"order": 17}', 'order-17')$$, :w),
                 'WL006', NULL, 'a debit reusing a credit''s key is WL006');
SELECT results_eq('SELECT * FROM now_counts', 'SELECT * FROM counts', 'the conflicts wrote nothing');

-- Debit replay.
CREATE TEMP TABLE spent ON COMMIT DROP AS SELECT * FROM wallets.debit(:w, 60, 'api_call', '{"req": "r1"}', 'req-1');
SELECT results_eq('SELECT amount, balance_before, balance_after, idempotency_key FROM spent', $$VALUES (-60::bigint, 100::bigint, 40::bigint, 'req-1')$$,
                  'the keyed debit is posted');
UPDATE counts SET entries = entries + 1, allocations = allocations + 1;
SET LOCAL wallets.clock = '2030-01-03 00:00:00Z';
SELECT results_eq(format($$SELECT * FROM wallets.debit(%s, 60, 'api_call', '{"req": "r1"}', 'req-1')$$, :w), 'SELECT * FROM spent',
                  'a debit replay returns the original row');
SELECT results_eq('SELECT * FROM now_counts', 'SELECT * FROM counts', '... and writes nothing');
SELECT is(wallets.balance(:w), 40::bigint, 'balance still 40, not debited twice');
SELECT results_eq(format($$SELECT id FROM wallets.debit(wallet_id => %s, amount => 60, category => 'api_call', metadata => '{"req": "r1"}', idempotency_key => 'req-1')$$, :w),
                  'SELECT id FROM spent', 'named notation replays too');
SELECT throws_ok(format($$SELECT wallets.debit(%s, 61, 'api_call', '{"req": "r1"}', 'req-1')$$, :w), 'WL006', NULL, 'a debit with another amount is WL006');
SELECT throws_ok(format($$SELECT wallets.debit(%s, 60, 'debit', '{"req": "r1"}', 'req-1')$$, :w), 'WL006', NULL, 'a debit with another category is WL006');
SELECT throws_ok(format($$SELECT wallets.debit(%s, 60, 'api_call', '{}', 'req-1')$$, :w), 'WL006', NULL, 'a debit with other metadata is WL006');
SELECT throws_ok(format($$SELECT wallets.credit(%s, 60, 'api_call', NULL, '{"req": "r1"}', 'req-1')$$, :w), 'WL006', NULL,
                 'a credit reusing a debit''s key is WL006');

-- A replay is answered even when the original could no longer be posted.
SELECT lives_ok(format('SELECT wallets.debit(%s, 40)', :w), 'spend the rest: balance 0');
UPDATE counts SET entries = entries + 1, allocations = allocations + 1;
SELECT results_eq(format($$SELECT id FROM wallets.debit(%s, 60, 'api_call', '{"req": "r1"}', 'req-1')$$, :w), 'SELECT id FROM spent',
                  'a debit replay with the balance now insufficient returns the original, not WL001');
SELECT results_eq('SELECT * FROM now_counts', 'SELECT * FROM counts', '... and writes nothing');
SELECT id AS soon FROM wallets.credit(:w, 5, expires_at => '2030-01-04 00:00:00Z', idempotency_key => 'soon') \gset
SET LOCAL wallets.clock = '2030-01-05 00:00:00Z';
SELECT is((SELECT id FROM wallets.credit(:w, 5, expires_at => '2030-01-04 00:00:00Z', idempotency_key => 'soon')), :soon::bigint,
          'a credit replay after its expires_at has passed returns the original, not WL005');

-- Keys are scoped per wallet.
CREATE TEMP TABLE other ON COMMIT DROP AS SELECT * FROM wallets.credit(:w2, 100, 'purchase', '2030-06-01 00:00:00Z', '{"order": 17}', 'order-17', 20);
SELECT isnt((SELECT id FROM other), (SELECT id FROM original), 'the same key on another wallet posts a new entry');
SELECT is(wallets.balance(:w2), 100::bigint, 'the other wallet is credited');
SELECT lives_ok(format($$SELECT wallets.debit(%s, 1, idempotency_key => 'req-1')$$, :w2), 'a key used on one wallet is free on another, whatever the arguments');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE idempotency_key = 'order-17'), 2::bigint, 'one order-17 entry per wallet');

-- No key: no idempotency.
SELECT lives_ok(format('SELECT wallets.credit(%s, 1)', :w2), 'credit 1 without a key');
SELECT lives_ok(format('SELECT wallets.credit(%s, 1)', :w2), 'the same credit again without a key');
SELECT is(wallets.balance(:w2), 101::bigint, 'both were posted');

-- A replay writes nothing even when the wallet has buckets due to expire: the sweep waits for a
-- write that really posts.
SET LOCAL wallets.clock = '2031-01-01Z';
SELECT id AS w3 FROM wallets.open_wallet('idem-carol') \gset
SELECT wallets.credit(:w3, 30, expires_at => '2031-01-02Z');
SELECT id AS k3 FROM wallets.credit(:w3, 5, idempotency_key => 'grant-5') \gset
SET LOCAL wallets.clock = '2031-01-03Z';
SELECT is((SELECT id FROM wallets.credit(:w3, 5, idempotency_key => 'grant-5')), :k3::bigint, 'a replay after an expiry returns the original');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :w3), 2::bigint, 'and posts no expiration entry');
SELECT is(wallets.balance(:w3), 5::bigint, 'the due bucket no longer counts all the same');
SELECT wallets.credit(:w3, 1);
SELECT results_eq(format($$SELECT category, amount FROM wallets.transactions WHERE wallet_id = %s ORDER BY id$$, :w3),
                  $$VALUES ('credit', 30::bigint), ('credit', 5::bigint), ('expiration', -30::bigint), ('credit', 1::bigint)$$,
                  'the next real write sweeps first');

SELECT * FROM finish();
ROLLBACK;
