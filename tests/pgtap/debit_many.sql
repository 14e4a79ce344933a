-- wallets.debit_many(wallet_ids, amounts, categories, metadata, idempotency_keys, atomic): one row
-- per item in order, items applied in order (each sees the balance the previous ones left), a
-- refused item undoing nothing else, replays, the defaults of wallets.debit, atomic batches, WL012
-- for the whole call, privileges.
BEGIN;
SELECT plan(69);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_function('wallets', 'debit_many', ARRAY['bigint[]', 'bigint[]', 'text[]', 'jsonb[]', 'text[]', 'boolean'],
                    'debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean) exists');
SELECT is((SELECT array_agg(format('%s %s', a.name, format_type(a.type, NULL)) ORDER BY a.n)
           FROM pg_proc p, unnest(p.proargnames, p.proallargtypes, p.proargmodes) WITH ORDINALITY AS a(name, type, mode, n)
           WHERE p.oid = 'wallets.debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean)'::regprocedure AND a.mode = 't'),
          ARRAY['item integer', 'transaction_id bigint', 'error_code text', 'error_message text', 'error_detail jsonb'],
          'debit_many returns TABLE (item integer, transaction_id bigint, error_code text, error_message text, error_detail jsonb)');
SELECT is((SELECT pronargdefaults FROM pg_proc WHERE oid = 'wallets.debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean)'::regprocedure),
          4::smallint, 'every argument but wallet_ids and amounts has a default');

-- Runs a statement and returns what it raised: SQLSTATE, message, and DETAIL parsed as JSON.
CREATE FUNCTION pg_temp.raised(statement text) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    state text;
    message text;
    detail text;
BEGIN
    EXECUTE statement;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
    RETURN jsonb_build_object('sqlstate', state, 'message', message, 'detail', detail::jsonb);
END
$fn$;

-- What the ledger holds for the wallets of this file, to show what a call wrote.
CREATE TEMP VIEW written AS
SELECT w.id, w.ledger_balance, w.debt,
       (SELECT count(*) FROM wallets.transactions t WHERE t.wallet_id = w.id) AS entries,
       (SELECT count(*) FROM wallets.allocations a WHERE a.wallet_id = w.id) AS allocations,
       (SELECT sum(b.remaining) FROM wallets.bucket_state b WHERE b.wallet_id = w.id) AS remaining
FROM wallets.wallets w WHERE w.owner LIKE 'dm-%';

SELECT id AS a FROM wallets.open_wallet('dm-alice') \gset
SELECT id AS b FROM wallets.open_wallet('dm-bob') \gset
SELECT id AS a_never FROM wallets.credit(:a, 100) \gset
SELECT id AS a_soon FROM wallets.credit(:a, 50, expires_at => '2030-01-10Z') \gset
SELECT id AS b_grant FROM wallets.credit(:b, 10) \gset

-- Two wallets, every optional array NULL: one row per item, in order, the defaults of wallets.debit.
SET LOCAL wallets.clock = '2030-01-01 01:00:00Z';
CREATE TEMP TABLE r1 ON COMMIT DROP AS
SELECT * FROM wallets.debit_many(ARRAY[:a, :b, :a]::bigint[], ARRAY[30, 5, 20]::bigint[]);
SELECT results_eq('SELECT item, error_code, error_message FROM r1', $$VALUES (1, NULL::text, NULL::text), (2, NULL, NULL), (3, NULL, NULL)$$,
                  'one row per item, 1-based and in order, no errors');
SELECT is((SELECT array_agg(transaction_id ORDER BY item) FROM r1), (SELECT array_agg(transaction_id ORDER BY transaction_id) FROM r1),
          'each item posted its own entry, in array order');
SELECT results_eq(
    $$SELECT r.item, t.wallet_id, t.amount, t.category, t.metadata, t.idempotency_key, t.created_at
      FROM r1 r JOIN wallets.transactions t ON t.id = r.transaction_id ORDER BY r.item$$,
    format($$VALUES (1, %1$s::bigint, -30::bigint, 'debit', '{}'::jsonb, NULL::text, '2030-01-01 01:00Z'::timestamptz),
                    (2, %2$s, -5, 'debit', '{}', NULL, '2030-01-01 01:00Z'),
                    (3, %1$s, -20, 'debit', '{}', NULL, '2030-01-01 01:00Z')$$, :a, :b),
    'each transaction_id is its item''s debit, with debit''s defaults: category debit, {}, no key');
SELECT results_eq(format('SELECT amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :a),
                  $$VALUES (100::bigint, 0::bigint, 100::bigint), (50, 100, 150), (-30, 150, 120), (-20, 120, 100)$$,
                  'the items of one wallet apply in order: 150 -> 120 -> 100');
SELECT results_eq(
    $$SELECT r.item, a.source_transaction_id, a.amount FROM r1 r JOIN wallets.allocations a ON a.transaction_id = r.transaction_id ORDER BY r.item$$,
    format('VALUES (1, %s::bigint, 30::bigint), (2, %s, 5), (3, %s, 20)', :a_soon, :b_grant, :a_soon),
    'each debit draws like wallets.debit: the earlier-expiring bucket first');
SELECT is(wallets.balance(:a), 100::bigint, 'alice: 100');
SELECT is(wallets.balance(:b), 5::bigint, 'bob: 5');

-- Every array given, with NULL entries.
CREATE TEMP TABLE r2 ON COMMIT DROP AS
SELECT * FROM wallets.debit_many(ARRAY[:b, :b]::bigint[], ARRAY[1, 2]::bigint[], categories => ARRAY['api_call', NULL],
                                 metadata => ARRAY['{"req": 1}', NULL]::jsonb[], idempotency_keys => ARRAY['dm-k1', NULL], atomic => false);
SELECT results_eq(
    $$SELECT r.item, r.error_code, t.amount, t.category, t.metadata, t.idempotency_key, t.balance_before, t.balance_after
      FROM r2 r JOIN wallets.transactions t ON t.id = r.transaction_id ORDER BY r.item$$,
    $$VALUES (1, NULL::text, -1::bigint, 'api_call', '{"req": 1}'::jsonb, 'dm-k1', 5::bigint, 4::bigint),
             (2, NULL, -2, 'debit', '{}', NULL, 4, 2)$$,
    'item i takes the i-th entry of every array; NULL entries take debit''s defaults');

-- Order within a wallet decides: each item sees what the previous ones left.
SELECT id AS c FROM wallets.open_wallet('dm-carol') \gset
SELECT id AS c_grant FROM wallets.credit(:c, 10) \gset
SELECT results_eq(format('SELECT item, transaction_id IS NOT NULL, error_code, error_message FROM wallets.debit_many(ARRAY[%1$s, %1$s, %1$s, %1$s]::bigint[], ARRAY[6, 6, 4, 1]::bigint[])', :c),
                  format($$VALUES (1, true, NULL::text, NULL::text),
                                  (2, false, 'WL001', 'wallet %1$s has 4 available, cannot debit 6'),
                                  (3, true, NULL, NULL),
                                  (4, false, 'WL001', 'wallet %1$s has 0 available, cannot debit 1')$$, :c),
                  '6 of 10 posts, the next 6 is refused with 4 left, 4 posts, then 1 is refused with 0 left');
SELECT results_eq(format('SELECT amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :c),
                  $$VALUES (10::bigint, 0::bigint, 10::bigint), (-6, 10, 4), (-4, 4, 0)$$, 'the chain: 10 -> 4 -> 0, nothing for the refused items');

-- Mixed: refused items get their code and the message wallets.debit raises; nothing else is undone.
SELECT id AS d FROM wallets.open_wallet('dm-dave') \gset
SELECT id AS d_grant FROM wallets.credit(:d, 20) \gset
CREATE TEMP TABLE r3 ON COMMIT DROP AS
SELECT * FROM wallets.debit_many(
    ARRAY[:d, -1, :d, :d, :d, :d, :d, :d, :d, NULL, :d]::bigint[],
    ARRAY[5, 5, 0, -3, NULL, 5, 5, 5, 100, 5, 5]::bigint[],
    categories => ARRAY[NULL, NULL, NULL, NULL, NULL, 'Api', 'transfer_out', NULL, NULL, NULL, NULL],
    metadata => ARRAY[NULL, NULL, NULL, NULL, NULL, NULL, NULL, '"x"', NULL, NULL, NULL]::jsonb[]);
SELECT results_eq(
    'SELECT item, transaction_id IS NOT NULL, error_code, error_message FROM r3',
    format($$VALUES (1, true, NULL::text, NULL::text),
                    (2, false, 'WL002', 'wallet -1 does not exist'),
                    (3, false, 'WL003', 'wallet %1$s: amount must be a positive whole number, got 0'),
                    (4, false, 'WL003', 'wallet %1$s: amount must be a positive whole number, got -3'),
                    (5, false, 'WL003', 'wallet %1$s: amount must be a positive whole number, got NULL'),
                    (6, false, 'WL012', 'wallet %1$s: category ''Api'' must match ^[a-z][a-z0-9_]{0,63}$'),
                    (7, false, 'WL012', 'wallet %1$s: category ''transfer_out'' is reserved for the ledger'),
                    (8, false, 'WL012', 'wallet %1$s: metadata must be a JSON object'),
                    (9, false, 'WL001', 'wallet %1$s has 15 available, cannot debit 100'),
                    (10, false, 'WL002', 'wallet NULL does not exist'),
                    (11, true, NULL, NULL)$$, :d),
    'mixed batch: each refused item has its exact code and message and no transaction_id');
SELECT results_eq(format('SELECT id, amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s AND amount < 0 ORDER BY id', :d),
                  $$SELECT transaction_id, v.amount, v.before, v.after FROM r3 JOIN (VALUES (1, -5::bigint, 20::bigint, 15::bigint), (11, -5, 15, 10)) v(item, amount, before, after) USING (item) ORDER BY item$$,
                  'only items 1 and 11 were written, chained 20 -> 15 -> 10');
SELECT results_eq(format('SELECT ledger_balance, entries, allocations, remaining FROM written WHERE id = %s', :d),
                  $$VALUES (10::bigint, 3::bigint, 2::bigint, 10::numeric)$$, 'the refused items wrote no entry and no allocation');

-- Credits reserved by a hold are not available; an allow_negative wallet goes into debt.
SELECT id AS h FROM wallets.open_wallet('dm-heidi') \gset
SELECT id AS h_grant FROM wallets.credit(:h, 10) \gset
SELECT id AS h_hold FROM wallets.hold(:h, 8) \gset
SELECT results_eq(format('SELECT error_code, error_message FROM wallets.debit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[3, 2]::bigint[])', :h),
                  format($$VALUES ('WL001'::text, 'wallet %s has 2 available, cannot debit 3'::text), (NULL, NULL)$$, :h),
                  'a hold of 8 on 10: debiting 3 is refused, 2 posts');
SELECT id AS n FROM wallets.open_wallet('dm-neg', allow_negative => true) \gset
SELECT id AS n_grant FROM wallets.credit(:n, 5) \gset
SELECT results_eq(format('SELECT error_code FROM wallets.debit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[8, 4]::bigint[])', :n),
                  $$VALUES (NULL::text), (NULL)$$, 'an allow_negative wallet with 5 takes debits of 8 and 4');
SELECT results_eq(format('SELECT ledger_balance, debt FROM wallets.wallets WHERE id = %s', :n), $$VALUES (-7::bigint, 7::bigint)$$,
                  'balance -7, debt 7');

-- Due expirations are swept before a wallet's first item posts, so the chain has no gap.
SELECT id AS e FROM wallets.open_wallet('dm-erin') \gset
SELECT id AS e_soon FROM wallets.credit(:e, 10, expires_at => '2030-01-02Z') \gset
SELECT id AS e_never FROM wallets.credit(:e, 5) \gset
SET LOCAL wallets.clock = '2030-01-03 00:00:00Z';
CREATE TEMP TABLE r4 ON COMMIT DROP AS SELECT * FROM wallets.debit_many(ARRAY[:e, :e]::bigint[], ARRAY[3, 1]::bigint[]);
SELECT results_eq(format('SELECT category, amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :e),
                  $$VALUES ('credit', 10::bigint, 0::bigint, 10::bigint), ('credit', 5, 10, 15), ('expiration', -10, 15, 5), ('debit', -3, 5, 2), ('debit', -1, 2, 1)$$,
                  'the due bucket expires first, then the two debits: 15 -> 5 -> 2 -> 1');
SELECT results_eq('SELECT transaction_id FROM r4 ORDER BY item',
                  format($$SELECT id FROM wallets.transactions WHERE wallet_id = %s AND category = 'debit' ORDER BY id$$, :e),
                  'the rows carry the debits'' ids, not the expiration''s');

-- A refused item writes nothing, not even the sweep of its wallet (as wallets.debit: the sweep
-- waits for a write that really posts).
SELECT id AS s FROM wallets.open_wallet('dm-sam') \gset
SELECT id AS s_soon FROM wallets.credit(:s, 10, expires_at => '2030-01-04Z') \gset
SELECT id AS s_never FROM wallets.credit(:s, 5) \gset
SELECT id AS s_hold FROM wallets.hold(:s, 2, '2030-01-04Z') \gset
SET LOCAL wallets.clock = '2030-01-05 00:00:00Z';
SELECT results_eq(format('SELECT error_code, error_message FROM wallets.debit_many(ARRAY[%1$s]::bigint[], ARRAY[100]::bigint[])', :s),
                  format($$VALUES ('WL001'::text, 'wallet %s has 5 available, cannot debit 100'::text)$$, :s),
                  'a debit of 100 with 5 left once the due credit and the lapsed hold are counted out: WL001');
SELECT results_eq(format('SELECT category, amount FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :s),
                  $$VALUES ('credit', 10::bigint), ('credit', 5)$$, 'the refused item posted no expiration entry');
SELECT is((SELECT status FROM wallets.holds WHERE id = :s_hold), 'active', 'and did not end the lapsed hold');

-- Replays: of a single debit, within a batch, across batches.
SELECT id AS f FROM wallets.open_wallet('dm-frank') \gset
SELECT id AS f_grant FROM wallets.credit(:f, 100) \gset
SELECT id AS single FROM wallets.debit(:f, 60, 'api_call', '{"req": "r1"}', 'req-1') \gset
SELECT results_eq(format($$SELECT transaction_id, error_code FROM wallets.debit_many(ARRAY[%s]::bigint[], ARRAY[60]::bigint[], ARRAY['api_call'],
                                                                                      ARRAY['{"req": "r1"}']::jsonb[], ARRAY['req-1'])$$, :f),
                  format('VALUES (%s::bigint, NULL::text)', :single),
                  'a batch item replays a single debit''s key, though 40 < 60 are left now: the original id, not WL001');
CREATE TEMP TABLE r5 ON COMMIT DROP AS
SELECT * FROM wallets.debit_many(ARRAY[:f, :f, :f]::bigint[], ARRAY[10, 10, 10]::bigint[], idempotency_keys => ARRAY['dup', 'dup', NULL]);
SELECT is((SELECT count(*) FILTER (WHERE error_code IS NULL) FROM r5), 3::bigint, 'a batch with the same key twice: every item succeeds');
SELECT is((SELECT transaction_id FROM r5 WHERE item = 2), (SELECT transaction_id FROM r5 WHERE item = 1),
          'the second item with the key returns the first one''s transaction id');
SELECT results_eq(format('SELECT ledger_balance, entries FROM written WHERE id = %s', :f), $$VALUES (20::bigint, 4::bigint)$$,
                  'debited once for the key and once without: 40 -> 20');
CREATE TEMP TABLE r6 ON COMMIT DROP AS
SELECT * FROM wallets.debit_many(ARRAY[:f, :f, :f]::bigint[], ARRAY[10, 10, 10]::bigint[], idempotency_keys => ARRAY['dup', 'dup', NULL]);
SELECT results_eq('SELECT item, transaction_id, error_code FROM r6 WHERE item < 3', 'SELECT item, transaction_id, error_code FROM r5 WHERE item < 3',
                  'the same batch again: the keyed items return the original ids');
SELECT results_eq(format('SELECT ledger_balance, entries FROM written WHERE id = %s', :f), $$VALUES (10::bigint, 5::bigint)$$,
                  '... and only the unkeyed item is debited again: 20 -> 10');
SELECT results_eq(format($$SELECT item, error_code, error_message FROM wallets.debit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[11, 1]::bigint[],
                                                                                             idempotency_keys => ARRAY['dup', 'grant'])$$, :f),
                  format($$VALUES (1, 'WL006'::text, 'idempotency key ''dup'' on wallet %1$s was used by transaction %2$s with other arguments'::text),
                                  (2, NULL, NULL)$$, :f, (SELECT transaction_id FROM r5 WHERE item = 1)),
                  'a key reused with another amount is WL006 for that item; the next item posts');
SELECT id AS g FROM wallets.open_wallet('dm-gina') \gset
SELECT id AS g_grant FROM wallets.credit(:g, 5, idempotency_key => 'grant-5') \gset
SELECT results_eq(format($$SELECT error_code FROM wallets.debit_many(ARRAY[%s]::bigint[], ARRAY[5]::bigint[], idempotency_keys => ARRAY['grant-5'])$$, :g),
                  $$VALUES ('WL006'::text)$$, 'a debit item reusing a credit''s key is WL006');
SELECT results_eq(format('SELECT ledger_balance, entries FROM written WHERE id = %s', :f), $$VALUES (9::bigint, 6::bigint)$$,
                  'frank: the replays and the conflict wrote nothing');
SELECT id AS k FROM wallets.open_wallet('dm-kim') \gset
SELECT id AS k_grant FROM wallets.credit(:k, 10) \gset
CREATE TEMP TABLE r7 ON COMMIT DROP AS
SELECT * FROM wallets.debit_many(ARRAY[:k, :k, :k, :k]::bigint[], ARRAY[50, 3, 3, 4]::bigint[], idempotency_keys => ARRAY['once', 'once', 'once', 'other']);
SELECT results_eq('SELECT item, error_code, transaction_id = (SELECT transaction_id FROM r7 WHERE item = 2) FROM r7 ORDER BY item',
                  $$VALUES (1, 'WL001'::text, NULL::boolean), (2, NULL, true), (3, NULL, true), (4, NULL, false)$$,
                  'a key whose first item is refused posts with its next item, and the one after replays that one');
SELECT results_eq(format('SELECT ledger_balance, entries FROM written WHERE id = %s', :k), $$VALUES (3::bigint, 3::bigint)$$,
                  'kim: the refused item and the replay wrote nothing: 10 -> 7 -> 3');

-- Atomic.
SELECT results_eq(format('SELECT item, transaction_id IS NOT NULL, error_code FROM wallets.debit_many(ARRAY[%1$s, %2$s]::bigint[], ARRAY[1, 1]::bigint[], atomic => true)', :f, :g),
                  $$VALUES (1, true, NULL::text), (2, true, NULL)$$, 'an atomic batch that succeeds returns its rows');
CREATE TEMP TABLE before_atomic ON COMMIT DROP AS SELECT * FROM written;
SELECT throws_ok(format('SELECT * FROM wallets.debit_many(ARRAY[%1$s, %2$s, -1]::bigint[], ARRAY[1, 5, 1]::bigint[], atomic => true)', :f, :g),
                 'WL001', format('item 2: wallet %s has 4 available, cannot debit 5', :g),
                 'an atomic batch fails with the first refused item''s SQLSTATE, its message prefixed with "item 2: "');
SELECT is(pg_temp.raised(format('SELECT * FROM wallets.debit_many(ARRAY[%1$s, %2$s, -1]::bigint[], ARRAY[1, 5, 1]::bigint[], atomic => true)', :f, :g))->'detail',
          jsonb_build_object('code', 'WL001', 'error', 'insufficient_balance', 'wallet_id', :g, 'requested', 5, 'available', 4, 'item', 2),
          'its DETAIL is the item''s JSON plus "item": 2');
SELECT is(pg_temp.raised(format($$SELECT * FROM wallets.debit_many(ARRAY[%s]::bigint[], ARRAY[1]::bigint[], ARRAY['expiration'], atomic => true)$$, :f)),
          jsonb_build_object('sqlstate', 'WL012', 'message', format('item 1: wallet %s: category ''expiration'' is reserved for the ledger', :f),
                             'detail', jsonb_build_object('code', 'WL012', 'error', 'invalid_argument', 'wallet_id', :f, 'argument', 'category',
                                                          'value', 'expiration', 'item', 1)),
          'a reserved category in an atomic batch: WL012 naming item 1');
SELECT results_eq('SELECT * FROM written ORDER BY id', 'SELECT * FROM before_atomic ORDER BY id', 'the failed atomic batches wrote nothing');
SELECT results_eq(format($$SELECT transaction_id, error_code FROM wallets.debit_many(ARRAY[%s]::bigint[], ARRAY[60]::bigint[], ARRAY['api_call'],
                                                                                      ARRAY['{"req": "r1"}']::jsonb[], ARRAY['req-1'], true)$$, :f),
                  format('VALUES (%s::bigint, NULL::text)', :single), 'an atomic batch replays keys as well');

-- Arrays of different lengths, or atomic NULL: WL012 for the whole call, even when not atomic.
SELECT throws_ok(format('SELECT * FROM wallets.debit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[1]::bigint[])', :f), 'WL012',
                 'debit_many: wallet_ids, amounts and every other array given must be lists (first index 1) of one entry per item, and atomic true or false',
                 'fewer amounts than wallet_ids: WL012');
SELECT throws_ok(format($$SELECT * FROM wallets.debit_many('[0:1]={%s,%s}'::bigint[], '{5,6}'::bigint[])$$, :a, :b), 'WL012', NULL,
                 'an array whose first index is not 1 is refused, not misread');
SELECT throws_ok(format($$SELECT * FROM wallets.debit_many('{{%s},{%s}}'::bigint[], '{{5},{6}}'::bigint[])$$, :a, :b), 'WL012', NULL,
                 'a two-dimensional array is refused');
SELECT results_eq($$SELECT error_code, error_detail FROM wallets.debit_many(ARRAY[-9]::bigint[], ARRAY[1]::bigint[])$$,
                  $$VALUES ('WL002', '{"code": "WL002", "error": "wallet_not_found", "wallet_id": -9}'::jsonb)$$,
                  'a refused item carries the DETAIL its single call would raise');
SELECT throws_ok(format('SELECT * FROM wallets.debit_many(ARRAY[%1$s]::bigint[], ARRAY[1, 1]::bigint[])', :f), 'WL012', NULL, 'more amounts than wallet_ids: WL012');
SELECT throws_ok('SELECT * FROM wallets.debit_many(NULL, ARRAY[1]::bigint[])', 'WL012', NULL, 'wallet_ids NULL with an amount: WL012');
SELECT throws_ok(format('SELECT * FROM wallets.debit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[1, 1]::bigint[], categories => ARRAY[''a''])', :f), 'WL012', NULL,
                 'a shorter categories array: WL012');
SELECT throws_ok(format($$SELECT * FROM wallets.debit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[1, 1]::bigint[], metadata => ARRAY['{}', '{}', '{}']::jsonb[])$$, :f),
                 'WL012', NULL, 'a longer metadata array: WL012');
SELECT throws_ok(format('SELECT * FROM wallets.debit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[1, 1]::bigint[], idempotency_keys => ARRAY[''k''])', :f),
                 'WL012', NULL, 'a shorter idempotency_keys array: WL012');
SELECT throws_ok(format('SELECT * FROM wallets.debit_many(ARRAY[%1$s]::bigint[], ARRAY[1]::bigint[], atomic => NULL)', :f), 'WL012', NULL, 'atomic NULL: WL012');
SELECT results_eq('SELECT * FROM written ORDER BY id', 'SELECT * FROM before_atomic ORDER BY id', 'the rejected calls wrote nothing');

-- Empty arrays: zero rows.
SELECT is_empty($$SELECT * FROM wallets.debit_many('{}', '{}')$$, 'empty arrays: zero rows');
SELECT is_empty($$SELECT * FROM wallets.debit_many('{}', '{}', '{}', '{}', '{}', true)$$, 'every array empty, atomic: zero rows');

-- A batch is item-by-item wallets.debit: a deterministic pseudo-random run posts the same items as
-- batches on wallets A_k and one wallets.debit at a time (a refused one rolled back) on their
-- twins B_k, which start alike (credits of mixed priorities and expiries, holds, two
-- allow_negative wallets); results and ledgers must match. The due credits are swept
-- (expire_due) before each round.
CREATE TEMP TABLE twins (k integer PRIMARY KEY, a bigint, b bigint) ON COMMIT DROP;
CREATE TEMP TABLE outcome (round integer, item integer, side text, code text, message text, transaction_id bigint) ON COMMIT DROP;
-- Messages name wallets and transactions by id: the twins' ids differ.
CREATE FUNCTION pg_temp.unnamed(message text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
    SELECT regexp_replace(regexp_replace(message, 'wallet -?\d+', 'wallet W', 'g'), 'transaction \d+', 'transaction T', 'g')
$fn$;
SELECT setseed(0.42);
DO $setup$
DECLARE
    twin_a bigint;
    twin_b bigint;
    amount bigint;
    priority integer;
    expiry timestamptz;
BEGIN
    FOR k IN 1..6 LOOP
        twin_a := (wallets.open_wallet('dm-twin-a-' || k, allow_negative => k > 4)).id;
        twin_b := (wallets.open_wallet('dm-twin-b-' || k, allow_negative => k > 4)).id;
        INSERT INTO twins VALUES (k, twin_a, twin_b);
        FOR c IN 1..4 LOOP
            amount := 1 + floor(random() * 30);
            priority := (ARRAY[0, 50, 100])[1 + floor(random() * 3)];
            expiry := (ARRAY[NULL, '2030-01-06Z', '2030-01-08Z', '2030-01-20Z']::timestamptz[])[1 + floor(random() * 4)];
            PERFORM wallets.credit(twin_a, amount, 'credit', expiry, '{}', NULL, priority);
            PERFORM wallets.credit(twin_b, amount, 'credit', expiry, '{}', NULL, priority);
        END LOOP;
        IF k IN (2, 5) THEN
            PERFORM wallets.hold(twin_a, 4, '2030-01-07Z'), wallets.hold(twin_a, 3, '2030-03-01Z');
            PERFORM wallets.hold(twin_b, 4, '2030-01-07Z'), wallets.hold(twin_b, 3, '2030-03-01Z');
        END IF;
    END LOOP;
END
$setup$;
CREATE FUNCTION pg_temp.twin_round(round integer, size integer, atomic boolean) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    ids_a bigint[] := '{}';
    ids_b bigint[] := '{}';
    amounts bigint[] := '{}';
    categories text[] := '{}';
    metadata jsonb[] := '{}';
    keys text[] := '{}';
    twin integer;
    x float8;
    posted bigint;
    current_item integer;
    row record;
BEGIN
    FOR i IN 1..size LOOP
        twin := 1 + floor(random() * 6);
        x := random();
        ids_a[i] := CASE WHEN x < 0.03 THEN -7 ELSE (SELECT t.a FROM twins t WHERE t.k = twin) END;
        ids_b[i] := CASE WHEN x < 0.03 THEN -7 ELSE (SELECT t.b FROM twins t WHERE t.k = twin) END;
        x := random();
        amounts[i] := CASE WHEN x < 0.03 THEN 0 WHEN x < 0.05 THEN NULL ELSE 1 + floor(random() * 25) END;
        x := random();
        categories[i] := CASE WHEN x < 0.03 THEN 'Bad' WHEN x < 0.05 THEN 'expiration' WHEN x < 0.3 THEN 'api' END;
        x := random();
        metadata[i] := CASE WHEN x < 0.03 THEN '[1]'::jsonb WHEN x < 0.2 THEN '{"m": 1}'::jsonb END;
        x := random();
        keys[i] := CASE WHEN x < 0.25 THEN 'key-' || floor(random() * 6) END;
    END LOOP;
    -- A: the batch.
    BEGIN
        FOR row IN SELECT * FROM wallets.debit_many(ids_a, amounts, categories, metadata, keys, atomic) LOOP
            INSERT INTO outcome VALUES (round, row.item, 'a', row.error_code, pg_temp.unnamed(row.error_message), row.transaction_id);
        END LOOP;
    EXCEPTION WHEN OTHERS THEN
        IF left(SQLSTATE, 2) <> 'WL' THEN RAISE; END IF;
        INSERT INTO outcome VALUES (round, 0, 'a', SQLSTATE, pg_temp.unnamed(SQLERRM), NULL);
    END;
    -- B: one wallets.debit per item, NULL entries replaced by debit's defaults.
    IF NOT atomic THEN
        FOR i IN 1..size LOOP
            BEGIN
                posted := (wallets.debit(ids_b[i], amounts[i], coalesce(categories[i], 'debit'), coalesce(metadata[i], '{}'), keys[i])).id;
                INSERT INTO outcome VALUES (round, i, 'b', NULL, NULL, posted);
            EXCEPTION WHEN OTHERS THEN
                IF left(SQLSTATE, 2) <> 'WL' THEN RAISE; END IF;
                INSERT INTO outcome VALUES (round, i, 'b', SQLSTATE, pg_temp.unnamed(SQLERRM), NULL);
            END;
        END LOOP;
    ELSE
        BEGIN
            FOR i IN 1..size LOOP
                current_item := i;
                posted := (wallets.debit(ids_b[i], amounts[i], coalesce(categories[i], 'debit'), coalesce(metadata[i], '{}'), keys[i])).id;
                INSERT INTO outcome VALUES (round, i, 'b', NULL, NULL, posted);
            END LOOP;
        EXCEPTION WHEN OTHERS THEN
            IF left(SQLSTATE, 2) <> 'WL' THEN RAISE; END IF;
            INSERT INTO outcome VALUES (round, 0, 'b', SQLSTATE, pg_temp.unnamed(format('item %s: %s', current_item, SQLERRM)), NULL);
        END;
    END IF;
END
$fn$;
DO $run$
BEGIN
    PERFORM pg_temp.twin_round(1, 40, false);
    PERFORM pg_temp.twin_round(2, 40, true);
    PERFORM set_config('wallets.clock', '2030-01-06 12:00:00Z', true), wallets.expire_due();
    PERFORM pg_temp.twin_round(3, 40, false);
    PERFORM pg_temp.twin_round(4, 10, true);
    PERFORM set_config('wallets.clock', '2030-01-09 00:00:00Z', true), wallets.expire_due();
    PERFORM pg_temp.twin_round(5, 60, false);
    PERFORM pg_temp.twin_round(6, 5, true);
    PERFORM set_config('wallets.clock', '2030-01-21 00:00:00Z', true), wallets.expire_due();
    PERFORM pg_temp.twin_round(7, 60, false);
    PERFORM pg_temp.twin_round(8, 60, false);
END
$run$;
-- Each entry of a twin by its rank on its wallet.
CREATE TEMP VIEW twin_entries AS
SELECT t.*, row_number() OVER (PARTITION BY t.wallet_id ORDER BY t.id) AS rank, w.k, CASE WHEN w.a = t.wallet_id THEN 'a' ELSE 'b' END AS side
FROM wallets.transactions t JOIN twins w ON t.wallet_id IN (w.a, w.b);

SELECT cmp_ok((SELECT count(DISTINCT code) FROM outcome WHERE side = 'a'), '>=', 5::bigint,
              'the run refuses items with WL001, WL002, WL003, WL006 and WL012');
SELECT cmp_ok((SELECT count(*) FROM outcome WHERE side = 'a' AND code IS NULL), '>', 50::bigint, '... and posts many');
SELECT set_eq($$SELECT o.round, o.item, o.code, o.message, e.rank FROM outcome o LEFT JOIN twin_entries e ON e.id = o.transaction_id WHERE o.side = 'a'$$,
              $$SELECT o.round, o.item, o.code, o.message, e.rank FROM outcome o LEFT JOIN twin_entries e ON e.id = o.transaction_id WHERE o.side = 'b'$$,
              'each item''s result is the single debit''s: code, message, and the rank of the entry posted or replayed');
SELECT set_eq($$SELECT k, rank, category, amount, balance_before, balance_after, metadata, idempotency_key, created_at FROM twin_entries WHERE side = 'a'$$,
              $$SELECT k, rank, category, amount, balance_before, balance_after, metadata, idempotency_key, created_at FROM twin_entries WHERE side = 'b'$$,
              'the twins'' entries are the same, in the same order');
SELECT set_eq($$SELECT e.k, e.rank AS entry_rank, s.rank AS source_rank, a.amount FROM wallets.allocations a JOIN twin_entries e ON e.id = a.transaction_id
                JOIN twin_entries s ON s.id = a.source_transaction_id WHERE e.side = 'a'$$,
              $$SELECT e.k, e.rank AS entry_rank, s.rank AS source_rank, a.amount FROM wallets.allocations a JOIN twin_entries e ON e.id = a.transaction_id
                JOIN twin_entries s ON s.id = a.source_transaction_id WHERE e.side = 'b'$$,
              'each debit drew the same amounts from the same buckets');
SELECT set_eq($$SELECT e.k, e.rank, b.remaining, b.held, b.expired, d.outstanding FROM twin_entries e
                LEFT JOIN wallets.bucket_state b ON b.transaction_id = e.id LEFT JOIN wallets.debt_state d ON d.transaction_id = e.id WHERE e.side = 'a'$$,
              $$SELECT e.k, e.rank, b.remaining, b.held, b.expired, d.outstanding FROM twin_entries e
                LEFT JOIN wallets.bucket_state b ON b.transaction_id = e.id LEFT JOIN wallets.debt_state d ON d.transaction_id = e.id WHERE e.side = 'b'$$,
              'the buckets and debts are the same');
SELECT set_eq($$SELECT t.k, w.ledger_balance, w.debt, w.held, h.amount, h.status, h.captured_amount, h.closed_at
                FROM twins t JOIN wallets.wallets w ON w.id = t.a LEFT JOIN wallets.holds h ON h.wallet_id = w.id$$,
              $$SELECT t.k, w.ledger_balance, w.debt, w.held, h.amount, h.status, h.captured_amount, h.closed_at
                FROM twins t JOIN wallets.wallets w ON w.id = t.b LEFT JOIN wallets.holds h ON h.wallet_id = w.id$$,
              'the wallets'' balances, debts and holds are the same');

-- Privileges.
SELECT function_privs_are('wallets', 'debit_many', ARRAY['bigint[]', 'bigint[]', 'text[]', 'jsonb[]', 'text[]', 'boolean'],
                          'wallets_app', ARRAY['EXECUTE'], 'wallets_app may execute debit_many');
SELECT function_privs_are('wallets', 'debit_many', ARRAY['bigint[]', 'bigint[]', 'text[]', 'jsonb[]', 'text[]', 'boolean'],
                          'wallets_reader', ARRAY[]::text[], 'wallets_reader may not');
SELECT is_empty($$SELECT FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                  WHERE p.oid = 'wallets.debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean)'::regprocedure AND a.grantee = 0$$,
                'PUBLIC has no privilege on debit_many');
SELECT is((SELECT prosecdef FROM pg_proc WHERE oid = 'wallets.debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean)'::regprocedure),
          true, 'debit_many is SECURITY DEFINER');
SELECT lives_ok(format($$SET LOCAL ROLE wallets_app;
                         SELECT * FROM wallets.debit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[2, 3]::bigint[], categories => ARRAY['app', NULL]);
                         RESET ROLE$$, :f),
                'wallets_app can call debit_many');
SELECT is(wallets.balance(:f), 3::bigint, 'its debits went through: 8 - 2 - 3');
CREATE ROLE pgwallets_test_dm_nobody NOLOGIN;
GRANT USAGE ON SCHEMA wallets TO pgwallets_test_dm_nobody;
SELECT throws_ok(format('SET LOCAL ROLE pgwallets_test_dm_nobody; SELECT * FROM wallets.debit_many(ARRAY[%s]::bigint[], ARRAY[1]::bigint[])', :f),
                 '42501', 'permission denied for function debit_many', 'a role with only what PUBLIC has cannot call debit_many');

SELECT is_empty($$SELECT * FROM wallets.check() WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'dm-%')$$,
                'check() finds nothing');

SELECT * FROM finish();
ROLLBACK;
