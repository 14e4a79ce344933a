-- wallets.transfer(from_wallet_id, to_wallet_id, amount, category, expiration_policy, expires_at, metadata, idempotency_key):
-- one transfer_out leg drawn in draw-down order, transfer_in legs on the receiver, all carrying the
-- transfer id. The expiration policies have their own file (transfer_policies.sql); this one covers
-- the default policy (preserve), the worked examples, the legs, errors and idempotency.
BEGIN;
SELECT plan(83);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_function('wallets', 'transfer',
                    ARRAY['bigint', 'bigint', 'bigint', 'text', 'text', 'timestamp with time zone', 'jsonb', 'text'],
                    'transfer(bigint, bigint, bigint, text, text, timestamptz, jsonb, text) exists');
SELECT function_returns('wallets', 'transfer',
                        ARRAY['bigint', 'bigint', 'bigint', 'text', 'text', 'timestamp with time zone', 'jsonb', 'text'],
                        'wallets.transfers', 'transfer returns a wallets.transfers row');
SELECT has_table('wallets', 'transfers', 'wallets.transfers exists');
SELECT columns_are('wallets', 'transfers',
                   ARRAY['id', 'from_wallet_id', 'to_wallet_id', 'asset', 'amount', 'category', 'expiration_policy', 'expires_at', 'metadata', 'created_at'],
                   'transfers has exactly the documented columns');

-- Every wallet's balance chain: balance_before is the previous balance_after, from 0.
CREATE TEMP VIEW chain_breaks AS
SELECT c.wallet_id, c.id
FROM (SELECT t.wallet_id, t.id, t.balance_before, lag(t.balance_after, 1, 0::bigint) OVER (PARTITION BY t.wallet_id ORDER BY t.id) AS previous
      FROM wallets.transactions t) c
WHERE c.balance_before <> c.previous;

-- Worked example 1: sender +100 (expires in 5 days) and +80 (20 days); transfer 130.
SELECT id AS a FROM wallets.open_wallet('tr-alice') \gset
SELECT id AS b FROM wallets.open_wallet('tr-bob') \gset
SELECT id AS a100 FROM wallets.credit(:a, 100, expires_at => '2030-01-06 00:00:00Z') \gset
SELECT id AS a80 FROM wallets.credit(:a, 80, expires_at => '2030-01-21 00:00:00Z') \gset
SET LOCAL wallets.clock = '2030-01-01 01:00:00Z';
CREATE TEMP TABLE t1 ON COMMIT DROP AS SELECT * FROM wallets.transfer(:a, :b, 130);
SELECT id AS t1 FROM t1 \gset
SELECT results_eq(
    'SELECT from_wallet_id, to_wallet_id, asset, amount, category, expiration_policy, expires_at, metadata, created_at FROM t1',
    format($$VALUES (%s::bigint, %s::bigint, 'credits', 130::bigint, 'transfer', 'preserve', NULL::timestamptz, '{}'::jsonb,
                     '2030-01-01 01:00:00Z'::timestamptz)$$, :a, :b),
    'the transfer row: both wallets, the asset, amount, category transfer, policy preserve by default, no expiry, created now');
SELECT results_eq(format('SELECT * FROM wallets.transfers WHERE id = %s', :t1), 'SELECT * FROM t1', 'the returned row is the stored row');
SELECT results_eq(
    format($$SELECT wallet_id, category, amount, expires_at, priority, balance_before, balance_after, metadata, idempotency_key, created_at
             FROM wallets.transactions WHERE transfer_id = %s ORDER BY id$$, :t1),
    format($$VALUES (%1$s::bigint, 'transfer_out', -130::bigint, NULL::timestamptz, NULL::integer, 180::bigint, 50::bigint, '{}'::jsonb, NULL::text, '2030-01-01 01:00:00Z'::timestamptz),
                    (%2$s::bigint, 'transfer_in', 100::bigint, '2030-01-06 00:00:00Z'::timestamptz, 50, 0::bigint, 100::bigint, '{}'::jsonb, NULL::text, '2030-01-01 01:00:00Z'::timestamptz),
                    (%2$s::bigint, 'transfer_in', 30::bigint, '2030-01-21 00:00:00Z'::timestamptz, 50, 100::bigint, 130::bigint, '{}'::jsonb, NULL::text, '2030-01-01 01:00:00Z'::timestamptz)$$,
           :a, :b),
    'one outbound leg of 130; inbound legs of 100 expiring in 5 days and 30 expiring in 20 days, in draw-down order');
SELECT is((SELECT sum(amount) FROM wallets.transactions WHERE transfer_id = :t1), 0::numeric, 'the legs sum to zero');
SELECT results_eq(
    format($$SELECT a.source_transaction_id, a.amount FROM wallets.allocations a JOIN wallets.transactions t ON t.wallet_id = a.wallet_id AND t.id = a.transaction_id
             WHERE t.transfer_id = %s ORDER BY a.source_transaction_id$$, :t1),
    format('VALUES (%s::bigint, 100::bigint), (%s::bigint, 30::bigint)', :a100, :a80),
    'the outbound leg is allocated in draw-down order: all of the 5-day bucket, 30 of the 20-day one');
SELECT results_eq(
    format($$SELECT transaction_id, remaining, held, status FROM wallets.buckets WHERE wallet_id = %s ORDER BY transaction_id$$, :a),
    format($$VALUES (%s::bigint, 0::bigint, 0::bigint, 'spent'), (%s::bigint, 50::bigint, 0::bigint, 'active')$$, :a100, :a80),
    'the sender''s buckets: 0 and 50 left');
SELECT results_eq(
    format($$SELECT category, amount, remaining, expires_at, priority, status FROM wallets.buckets WHERE wallet_id = %s ORDER BY transaction_id$$, :b),
    $$VALUES ('transfer_in', 100::bigint, 100::bigint, '2030-01-06 00:00:00Z'::timestamptz, 50, 'active'),
             ('transfer_in', 30::bigint, 30::bigint, '2030-01-21 00:00:00Z'::timestamptz, 50, 'active')$$,
    'each inbound leg is a bucket on the receiver, with its expiry');
SELECT results_eq(
    format('SELECT wallet_id, posted, held, available FROM wallets.balances WHERE wallet_id IN (%s, %s) ORDER BY wallet_id', :a, :b),
    format('VALUES (%s::bigint, 50::bigint, 0::bigint, 50::bigint), (%s::bigint, 130::bigint, 0::bigint, 130::bigint)', :a, :b),
    'balances: the sender posts 50, the receiver 130');
SELECT is(wallets.balance(:a), 50::bigint, 'the sender''s balance is 50');
SELECT is(wallets.balance(:b), 130::bigint, 'the receiver''s balance is 130');
SELECT results_eq(format('SELECT ledger_balance, expiry_floor FROM wallets.wallets WHERE id = %s', :b),
                  $$VALUES (130::bigint, '2030-01-06 00:00:00Z'::timestamptz)$$, 'the receiver''s caches: ledger 130, expiry floor at the 5-day leg');
-- The inbound legs expire as the sender's credits would have.
SET LOCAL wallets.clock = '2030-01-06 00:00:00Z';
SELECT is(wallets.balance(:b), 30::bigint, 'after 5 days the receiver keeps the 30 of the 20-day leg');
SET LOCAL wallets.clock = '2030-01-21 00:00:00Z';
SELECT is(wallets.balance(:b), 0::bigint, 'after 20 days nothing');
SELECT is(wallets.balance(:a), 0::bigint, 'and the sender''s 50 have expired too');
SET LOCAL wallets.clock = '2030-01-01 01:00:00Z';

-- Worked example 2: 60 and 40, both expiring in 14 days; transfer 75: one inbound leg of 75.
SELECT id AS c FROM wallets.open_wallet('tr-carol') \gset
SELECT id AS d FROM wallets.open_wallet('tr-dave') \gset
SELECT id AS c60 FROM wallets.credit(:c, 60, expires_at => '2030-01-15 01:00:00Z') \gset
SELECT id AS c40 FROM wallets.credit(:c, 40, expires_at => '2030-01-15 01:00:00Z') \gset
SELECT id AS t2 FROM wallets.transfer(:c, :d, 75) \gset
SELECT results_eq(
    format($$SELECT wallet_id, category, amount, expires_at, balance_before, balance_after FROM wallets.transactions WHERE transfer_id = %s ORDER BY id$$, :t2),
    format($$VALUES (%s::bigint, 'transfer_out', -75::bigint, NULL::timestamptz, 100::bigint, 25::bigint),
                    (%s::bigint, 'transfer_in', 75::bigint, '2030-01-15 01:00:00Z'::timestamptz, 0::bigint, 75::bigint)$$, :c, :d),
    'one expiry drawn, one inbound leg of 75 expiring in 14 days');
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE wallet_id = %s ORDER BY source_transaction_id', :c),
                  format('VALUES (%s::bigint, 60::bigint), (%s::bigint, 15::bigint)', :c60, :c40),
                  'drawn: all of the 60, then 15 of the 40');
SELECT results_eq(format('SELECT remaining FROM wallets.buckets WHERE wallet_id = %s ORDER BY transaction_id', :c), 'VALUES (0::bigint), (25::bigint)',
                  'the sender keeps 25 of the 40');

-- Inbound legs follow the draw-down order, priority first; buckets of one expiry share a leg
-- even when another expiry is drawn between them.
SELECT id AS e FROM wallets.open_wallet('tr-erin') \gset
SELECT id AS f FROM wallets.open_wallet('tr-frank') \gset
SELECT id AS e_p100 FROM wallets.credit(:e, 10, expires_at => '2030-01-05 00:00:00Z', priority => 100) \gset
SELECT id AS e_p50 FROM wallets.credit(:e, 10, expires_at => '2030-01-03 00:00:00Z') \gset
SELECT id AS e_p0 FROM wallets.credit(:e, 10, expires_at => '2030-01-05 00:00:00Z', priority => 0) \gset
SELECT id AS e_never FROM wallets.credit(:e, 10, priority => 0) \gset
SELECT id AS t3 FROM wallets.transfer(:e, :f, 35) \gset
SELECT results_eq(
    format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE wallet_id = %s ORDER BY source_transaction_id', :e),
    format('VALUES (%s::bigint, 5::bigint), (%s::bigint, 10::bigint), (%s::bigint, 10::bigint), (%s::bigint, 10::bigint)', :e_p100, :e_p50, :e_p0, :e_never),
    'drawn: p0 expiring, p0 never, p50, then 5 of p100');
SELECT results_eq(
    format($$SELECT amount, expires_at FROM wallets.transactions WHERE transfer_id = %s AND category = 'transfer_in' ORDER BY id$$, :t3),
    $$VALUES (15::bigint, '2030-01-05 00:00:00Z'::timestamptz), (10::bigint, NULL::timestamptz), (10::bigint, '2030-01-03 00:00:00Z'::timestamptz)$$,
    'inbound legs by first draw: 2030-01-05 (10 at p0 and 5 at p100), never (10), 2030-01-03 (10)');
SELECT is((SELECT sum(amount) FROM wallets.transactions WHERE transfer_id = :t3), 0::numeric, 'those legs sum to zero too');

-- Category and metadata: on the transfer and on every leg; legs keep their own categories.
SELECT id AS t4 FROM wallets.transfer(:d, :c, 5, 'gift', metadata => '{"note": "thanks"}') \gset
SELECT results_eq(format('SELECT category, metadata FROM wallets.transfers WHERE id = %s', :t4), $$VALUES ('gift', '{"note": "thanks"}'::jsonb)$$,
                  'the transfer stores its category and metadata');
SELECT results_eq(format('SELECT category, metadata FROM wallets.transactions WHERE transfer_id = %s ORDER BY id', :t4),
                  $$VALUES ('transfer_out', '{"note": "thanks"}'::jsonb), ('transfer_in', '{"note": "thanks"}'::jsonb)$$,
                  'both legs carry the metadata; their categories stay transfer_out and transfer_in');
SELECT is((SELECT metadata FROM wallets.transfer(:d, :c, 1, metadata => NULL)), '{}'::jsonb, 'metadata NULL is stored as {}');
SELECT is((SELECT category FROM wallets.transfer(from_wallet_id => :d, to_wallet_id => :c, amount => 1, category => 'refund_2')), 'refund_2',
          'named notation, another category');

-- Held credits are not available to a transfer; it leaves the reserved buckets alone.
SELECT id AS g FROM wallets.open_wallet('tr-gina') \gset
SELECT id AS g50 FROM wallets.credit(:g, 50) \gset
SELECT id AS gh FROM wallets.hold(:g, 30) \gset
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 21)', :g, :b), 'WL001', format('wallet %s has 20 available, cannot transfer 21 to wallet %s', :g, :b),
                 'a transfer above what is available (held credits excluded) is WL001');
SELECT lives_ok(format('SELECT wallets.transfer(%s, %s, 20)', :g, :b), 'a transfer of all that is available');
SELECT results_eq(format('SELECT remaining, held FROM wallets.bucket_state WHERE transaction_id = %s', :g50), 'VALUES (0::bigint, 30::bigint)',
                  'the reservation is untouched');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :g), 'VALUES (30::bigint, 30::bigint, 0::bigint)',
                  'the sender still posts the 30 held');

-- Never into debt, not even from an allow_negative wallet.
SELECT id AS n FROM wallets.open_wallet('tr-neg', allow_negative => true) \gset
SELECT id AS n10 FROM wallets.credit(:n, 10) \gset
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 11)', :n, :b), 'WL001', format('wallet %s has 10 available, cannot transfer 11 to wallet %s', :n, :b),
                 'an allow_negative wallet cannot transfer more than it has');
SELECT lives_ok(format('SELECT wallets.debit(%s, 25)', :n), 'it may debit into debt: -15');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1)', :n, :b), 'WL001', format('wallet %s has -15 available, cannot transfer 1 to wallet %s', :n, :b),
                 'a wallet in debt cannot transfer at all');

-- A receiver in debt: the inbound legs repay it first, like any credit.
SELECT id AS nt FROM wallets.transfer(:a, :n, 20) \gset
SELECT results_eq(format('SELECT ledger_balance, debt FROM wallets.wallets WHERE id = %s', :n), 'VALUES (5::bigint, 0::bigint)',
                  'a transfer of 20 into a debt of 15: balance 5, no debt left');
SELECT results_eq(
    format($$SELECT t.amount, t.balance_before, t.balance_after, b.remaining FROM wallets.transactions t JOIN wallets.buckets b ON b.transaction_id = t.id
             WHERE t.transfer_id = %s AND t.category = 'transfer_in'$$, :nt),
    'VALUES (20::bigint, -15::bigint, 5::bigint, 5::bigint)', 'the inbound leg runs from -15 to 5 and its bucket keeps 5');
SELECT is((SELECT outstanding FROM wallets.debt_state WHERE wallet_id = :n), 0::bigint, 'the debit''s outstanding debt is repaid');

-- Both wallets are swept first: the sender's due expiration precedes its outbound leg, the receiver's its inbound leg.
SELECT id AS h FROM wallets.open_wallet('tr-hank') \gset
SELECT id AS i FROM wallets.open_wallet('tr-iris') \gset
SELECT id AS h_soon FROM wallets.credit(:h, 10, expires_at => '2030-01-02 00:00:00Z') \gset
SELECT id AS h_late FROM wallets.credit(:h, 40, expires_at => '2030-01-09 00:00:00Z') \gset
SELECT id AS i_soon FROM wallets.credit(:i, 7, expires_at => '2030-01-02 00:00:00Z') \gset
SET LOCAL wallets.clock = '2030-01-02 00:00:00Z';
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 41)', :h, :i), 'WL001', format('wallet %s has 40 available, cannot transfer 41 to wallet %s', :h, :i),
                 'the expired 10 are not available');
SELECT id AS t5 FROM wallets.transfer(:h, :i, 40) \gset
SELECT results_eq(format('SELECT category, amount, balance_before, balance_after, transfer_id FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :h),
                  format($$VALUES ('credit', 10::bigint, 0::bigint, 10::bigint, NULL::bigint), ('credit', 40::bigint, 10::bigint, 50::bigint, NULL),
                                  ('expiration', -10::bigint, 50::bigint, 40::bigint, NULL), ('transfer_out', -40::bigint, 40::bigint, 0::bigint, %s)$$, :t5),
                  'the sender: expiration of the due 10, then the outbound leg from 40');
SELECT results_eq(format('SELECT category, amount, expires_at, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :i),
                  $$VALUES ('credit', 7::bigint, '2030-01-02 00:00:00Z'::timestamptz, 0::bigint, 7::bigint),
                           ('expiration', -7::bigint, NULL, 7::bigint, 0::bigint),
                           ('transfer_in', 40::bigint, '2030-01-09 00:00:00Z'::timestamptz, 0::bigint, 40::bigint)$$,
                  'the receiver: expiration of its due 7, then the inbound leg from 0, keeping the sender''s expiry');
SET LOCAL wallets.clock = '2030-01-01 01:00:00Z';

-- Errors, none of which writes anything.
SELECT id AS usd FROM wallets.open_wallet('tr-alice', 'usd') \gset
CREATE TEMP TABLE before_errors ON COMMIT DROP AS
SELECT (SELECT count(*) FROM wallets.transactions) AS entries, (SELECT count(*) FROM wallets.transfers) AS transfers,
       (SELECT count(*) FROM wallets.allocations) AS allocations;
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1)', :c, :c), 'WL004', format('wallet %s cannot transfer to itself', :c),
                 'a transfer to the same wallet is WL004');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1)', :a, :usd), 'WL004',
                 format('wallet %s holds credits and wallet %s holds usd: a transfer needs one asset', :a, :usd),
                 'a transfer between two assets is WL004');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1)', :usd, :a), 'WL004',
                 format('wallet %s holds usd and wallet %s holds credits: a transfer needs one asset', :usd, :a),
                 '... in either direction');
SELECT throws_ok(format('SELECT wallets.transfer(-1, %s, 1)', :c), 'WL002', 'wallet -1 does not exist', 'an unknown sender is WL002');
SELECT throws_ok(format('SELECT wallets.transfer(%s, -1, 1)', :c), 'WL002', 'wallet -1 does not exist', 'an unknown receiver is WL002');
SELECT throws_ok(format('SELECT wallets.transfer(%s, 999999999, 1)', :c), 'WL002', 'wallet 999999999 does not exist', 'an unknown receiver with a higher id is WL002');
SELECT throws_ok(format('SELECT wallets.transfer(%s, NULL, 1)', :c), 'WL002', 'wallet NULL does not exist', 'receiver NULL is WL002');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 0)', :c, :d), 'WL003', format('wallet %s: amount must be a positive whole number, got 0', :c),
                 'amount 0 is WL003');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, -5)', :c, :d), 'WL003', format('wallet %s: amount must be a positive whole number, got -5', :c),
                 'a negative amount is WL003');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, NULL)', :c, :d), 'WL003', format('wallet %s: amount must be a positive whole number, got NULL', :c),
                 'amount NULL is WL003');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 33)', :c, :d), 'WL001', format('wallet %s has 32 available, cannot transfer 33 to wallet %s', :c, :d),
                 'more than the balance is WL001');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1, %L)', :c, :d, c), 'WL012', format('wallet %s: category %L is reserved for the ledger', :c, c),
                 format('the reserved category %s is WL012', c))
FROM unnest(ARRAY['transfer_in', 'transfer_out', 'expiration']) c;
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1, %L)', :c, :d, 'Gift'), 'WL012', format('wallet %s: category ''Gift'' must match ^[a-z][a-z0-9_]{0,63}$', :c),
                 'a malformed category is WL012');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1, metadata => %L)', :c, :d, '[1]'), 'WL012', format('wallet %s: metadata must be a JSON object', :c),
                 'array metadata is WL012');
SELECT results_eq(
    'SELECT (SELECT count(*) FROM wallets.transactions), (SELECT count(*) FROM wallets.transfers), (SELECT count(*) FROM wallets.allocations)',
    'SELECT entries, transfers, allocations FROM before_errors', 'the rejected transfers wrote nothing');
SELECT is(wallets.balance(:c), 32::bigint, 'the sender still has 32 (25 + the 7 sent back by dave)');

-- Idempotency: the key belongs to the sending wallet and is kept on the outbound leg.
SELECT id AS j FROM wallets.open_wallet('tr-judy') \gset
SELECT id AS k FROM wallets.open_wallet('tr-ken') \gset
SELECT id AS j100 FROM wallets.credit(:j, 100) \gset
CREATE TEMP TABLE keyed ON COMMIT DROP AS SELECT * FROM wallets.transfer(:j, :k, 60, 'gift', NULL, NULL, '{"order": 1}', 'tr-key-1');
SELECT results_eq(format('SELECT category, idempotency_key FROM wallets.transactions WHERE transfer_id = %s ORDER BY id', (SELECT id FROM keyed)),
                  $$VALUES ('transfer_out', 'tr-key-1'), ('transfer_in', NULL)$$, 'the key is stored on the outbound leg only');
CREATE TEMP TABLE keyed_counts ON COMMIT DROP AS
SELECT (SELECT count(*) FROM wallets.transactions WHERE wallet_id IN (:j, :k)) AS entries, (SELECT count(*) FROM wallets.transfers WHERE from_wallet_id = :j) AS transfers;
SET LOCAL wallets.clock = '2030-01-02 00:00:00Z';
SELECT results_eq(format($$SELECT * FROM wallets.transfer(%s, %s, 60, 'gift', NULL, NULL, '{"order": 1}', 'tr-key-1')$$, :j, :k), 'SELECT * FROM keyed',
                  'a replay returns the original transfer, created_at included');
SELECT results_eq(format($$SELECT id FROM wallets.transfer(%s, %s, 60, 'gift', 'preserve', metadata => '{"order": 1}', idempotency_key => 'tr-key-1')$$, :j, :k),
                  'SELECT id FROM keyed', 'the policy named explicitly as the one it resolved to replays too');
SELECT results_eq(format('SELECT (SELECT count(*) FROM wallets.transactions WHERE wallet_id IN (%1$s, %2$s)), (SELECT count(*) FROM wallets.transfers WHERE from_wallet_id = %1$s)', :j, :k),
                  'SELECT entries, transfers FROM keyed_counts', 'the replays wrote nothing');
SELECT is(wallets.balance(:j), 40::bigint, 'the sender was debited once');
SELECT throws_ok(format($$SELECT wallets.transfer(%s, %s, 61, 'gift', NULL, NULL, '{"order": 1}', 'tr-key-1')$$, :j, :k), 'WL006',
                 format($$idempotency key 'tr-key-1' on wallet %s was used with other arguments$$, :j), 'another amount is WL006');
SELECT throws_ok(format($$SELECT wallets.transfer(%s, %s, 60, 'gift', NULL, NULL, '{"order": 1}', 'tr-key-1')$$, :j, :b), 'WL006', NULL,
                 'another receiver is WL006');
SELECT throws_ok(format($$SELECT wallets.transfer(%s, %s, 60, 'other', NULL, NULL, '{"order": 1}', 'tr-key-1')$$, :j, :k), 'WL006', NULL,
                 'another category is WL006');
SELECT throws_ok(format($$SELECT wallets.transfer(%s, %s, 60, 'gift', 'none', NULL, '{"order": 1}', 'tr-key-1')$$, :j, :k), 'WL006', NULL,
                 'another policy is WL006');
SELECT throws_ok(format($$SELECT wallets.transfer(%s, %s, 60, 'gift', NULL, '2030-03-01Z', '{"order": 1}', 'tr-key-1')$$, :j, :k), 'WL006', NULL,
                 'an expires_at (policy fixed) is WL006');
SELECT throws_ok(format($$SELECT wallets.transfer(%s, %s, 60, 'gift', NULL, NULL, '{"order": 2}', 'tr-key-1')$$, :j, :k), 'WL006', NULL,
                 'other metadata is WL006');
SELECT throws_ok(format($$SELECT wallets.debit(%s, 60, 'gift', '{"order": 1}', 'tr-key-1')$$, :j), 'WL006',
                 format($$idempotency key 'tr-key-1' on wallet %s was used by transaction %s with other arguments$$, :j,
                        (SELECT id FROM wallets.transactions WHERE idempotency_key = 'tr-key-1' AND wallet_id = :j)),
                 'a debit reusing a transfer''s key is WL006');
SELECT id AS jd FROM wallets.debit(:j, 1, idempotency_key => 'tr-key-2') \gset
SELECT throws_ok(format($$SELECT wallets.transfer(%s, %s, 1, idempotency_key => 'tr-key-2')$$, :j, :k), 'WL006',
                 format($$idempotency key 'tr-key-2' on wallet %s was used with other arguments$$, :j),
                 'a transfer reusing a debit''s key is WL006');
SELECT lives_ok(format('SELECT wallets.debit(%s, 39)', :j), 'the sender spends the rest');
SELECT results_eq(format($$SELECT id FROM wallets.transfer(%s, %s, 60, 'gift', NULL, NULL, '{"order": 1}', 'tr-key-1')$$, :j, :k), 'SELECT id FROM keyed',
                  'a replay is answered even when the sender could no longer pay, not WL001');
-- A replay writes nothing even when the sender has a bucket due: the sweep waits for a real write.
SELECT id AS l FROM wallets.open_wallet('tr-lara') \gset
SELECT id AS l_soon FROM wallets.credit(:l, 10, expires_at => '2030-01-03 00:00:00Z') \gset
SELECT id AS l_never FROM wallets.credit(:l, 50) \gset
SELECT id AS lt FROM wallets.transfer(:l, :k, 5, idempotency_key => 'tr-key-3') \gset
SET LOCAL wallets.clock = '2030-01-04 00:00:00Z';
SELECT is((SELECT id FROM wallets.transfer(:l, :k, 5, idempotency_key => 'tr-key-3')), :lt::bigint, 'a replay after a bucket of the sender expired returns the original');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :l), 3::bigint, '... and posts no expiration entry');
SELECT is(wallets.balance(:l), 50::bigint, 'the due 5 left of the bucket no longer count all the same');
SET LOCAL wallets.clock = '2030-01-02 00:00:00Z';
-- Scoped to the sender: the receiver, or any other wallet, may send with the same key.
SELECT id AS back FROM wallets.transfer(:k, :j, 10, idempotency_key => 'tr-key-1') \gset
SELECT isnt(:back::bigint, (SELECT id FROM keyed), 'the same key from another sending wallet is a new transfer');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE idempotency_key = 'tr-key-1'), 2::bigint, 'one outbound leg per sending wallet carries the key');
SELECT results_eq(format('SELECT wallets.balance(%s), wallets.balance(%s)', :j, :k), 'VALUES (10::bigint, 55::bigint)', 'each transfer moved once (ken also received lara''s 5)');

SELECT is_empty(format('SELECT * FROM chain_breaks WHERE wallet_id IN (%s)',
                       concat_ws(', ', :a, :b, :c, :d, :e, :f, :g, :n, :h, :i, :j, :k, :l)), 'every wallet''s balance chain is unbroken');
SELECT is_empty($$SELECT * FROM wallets.check() WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'tr-%')$$, 'the ledger is consistent');
SELECT isnt(obj_description('wallets.transfer(bigint, bigint, bigint, text, text, timestamptz, jsonb, text)'::regprocedure, 'pg_proc'), NULL,
            'transfer has a comment');

SELECT * FROM finish();
ROLLBACK;
