-- wallets.credit_many(wallet_ids, amounts, categories, expires_at, metadata, idempotency_keys, priorities, atomic):
-- one row per item in order, items applied in order, a refused item undoing nothing else, replays,
-- the defaults of wallets.credit, atomic batches, WL012 for the whole call, privileges.
BEGIN;
SELECT plan(65);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_function('wallets', 'credit_many',
                    ARRAY['bigint[]', 'bigint[]', 'text[]', 'timestamp with time zone[]', 'jsonb[]', 'text[]', 'integer[]', 'boolean'],
                    'credit_many(bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean) exists');
SELECT is((SELECT array_agg(format('%s %s', a.name, format_type(a.type, NULL)) ORDER BY a.n)
           FROM pg_proc p, unnest(p.proargnames, p.proallargtypes, p.proargmodes) WITH ORDINALITY AS a(name, type, mode, n)
           WHERE p.oid = 'wallets.credit_many(bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean)'::regprocedure
             AND a.mode = 't'),
          ARRAY['item integer', 'transaction_id bigint', 'error_code text', 'error_message text', 'error_detail jsonb'],
          'credit_many returns TABLE (item integer, transaction_id bigint, error_code text, error_message text, error_detail jsonb)');
SELECT is((SELECT pronargdefaults FROM pg_proc
           WHERE oid = 'wallets.credit_many(bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean)'::regprocedure),
          6::smallint, 'every argument but wallet_ids and amounts has a default');

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
SELECT w.id, w.ledger_balance,
       (SELECT count(*) FROM wallets.transactions t WHERE t.wallet_id = w.id) AS entries,
       (SELECT count(*) FROM wallets.bucket_state b WHERE b.wallet_id = w.id) AS buckets
FROM wallets.wallets w WHERE w.owner LIKE 'cm-%';

SELECT id AS a FROM wallets.open_wallet('cm-alice') \gset
SELECT id AS b FROM wallets.open_wallet('cm-bob') \gset

-- Two wallets, every optional array NULL: one row per item, in order, the defaults of wallets.credit.
CREATE TEMP TABLE r1 ON COMMIT DROP AS
SELECT * FROM wallets.credit_many(ARRAY[:a, :b, :a, :a]::bigint[], ARRAY[100, 20, 30, 5]::bigint[]);
SELECT results_eq('SELECT item, error_code, error_message FROM r1',
                  $$VALUES (1, NULL::text, NULL::text), (2, NULL, NULL), (3, NULL, NULL), (4, NULL, NULL)$$,
                  'one row per item, 1-based and in order, no errors');
SELECT is((SELECT count(DISTINCT transaction_id) FROM r1), 4::bigint, 'each item posted its own entry');
SELECT is((SELECT array_agg(transaction_id ORDER BY item) FROM r1), (SELECT array_agg(transaction_id ORDER BY transaction_id) FROM r1),
          'the items were posted in array order');
SELECT results_eq(
    $$SELECT r.item, t.wallet_id, t.amount, t.category, t.expires_at, t.priority, t.metadata, t.idempotency_key, t.created_at
      FROM r1 r JOIN wallets.transactions t ON t.id = r.transaction_id ORDER BY r.item$$,
    format($$VALUES (1, %1$s::bigint, 100::bigint, 'credit', NULL::timestamptz, 50, '{}'::jsonb, NULL::text, '2030-01-01Z'::timestamptz),
                    (2, %2$s, 20, 'credit', NULL, 50, '{}', NULL, '2030-01-01Z'),
                    (3, %1$s, 30, 'credit', NULL, 50, '{}', NULL, '2030-01-01Z'),
                    (4, %1$s, 5, 'credit', NULL, 50, '{}', NULL, '2030-01-01Z')$$, :a, :b),
    'each transaction_id is its item''s credit, with credit''s defaults: category credit, no expiry, priority 50, {}, no key');
SELECT results_eq(format('SELECT amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :a),
                  $$VALUES (100::bigint, 0::bigint, 100::bigint), (30, 100, 130), (5, 130, 135)$$,
                  'the items of one wallet apply in order: the balance chain runs 0 -> 100 -> 130 -> 135');
SELECT results_eq(format('SELECT transaction_id, remaining, status FROM wallets.buckets WHERE wallet_id = %s ORDER BY transaction_id', :a),
                  $$SELECT transaction_id, (SELECT amount FROM wallets.transactions WHERE id = transaction_id), 'active' FROM r1 WHERE item <> 2$$,
                  'each credit is a full active bucket');
SELECT is(wallets.balance(:a), 135::bigint, 'alice: 135');
SELECT is(wallets.balance(:b), 20::bigint, 'bob: 20');

-- Every array given, with NULL entries: a NULL entry is the default of its argument.
CREATE TEMP TABLE r2 ON COMMIT DROP AS
SELECT * FROM wallets.credit_many(ARRAY[:a, :b, :a]::bigint[], ARRAY[1, 2, 3]::bigint[],
                                  categories => ARRAY['bonus', NULL, 'refund_2'],
                                  expires_at => ARRAY['2030-06-01Z', NULL, '2030-03-01Z']::timestamptz[],
                                  metadata => ARRAY['{"campaign": "jan"}', NULL, '{"n": 3}']::jsonb[],
                                  idempotency_keys => ARRAY['cm-k1', NULL, 'cm-k3'],
                                  priorities => ARRAY[10, NULL, 0],
                                  atomic => false);
SELECT results_eq(
    $$SELECT r.item, r.error_code, t.wallet_id, t.amount, t.category, t.expires_at, t.priority, t.metadata, t.idempotency_key
      FROM r2 r JOIN wallets.transactions t ON t.id = r.transaction_id ORDER BY r.item$$,
    format($$VALUES (1, NULL::text, %1$s::bigint, 1::bigint, 'bonus', '2030-06-01Z'::timestamptz, 10, '{"campaign": "jan"}'::jsonb, 'cm-k1'),
                    (2, NULL, %2$s, 2, 'credit', NULL, 50, '{}', NULL),
                    (3, NULL, %1$s, 3, 'refund_2', '2030-03-01Z', 0, '{"n": 3}', 'cm-k3')$$, :a, :b),
    'item i takes the i-th entry of every array; NULL entries take credit''s defaults');
SELECT results_eq($$SELECT b.expires_at, b.priority FROM r2 r JOIN wallets.buckets b ON b.transaction_id = r.transaction_id ORDER BY r.item$$,
                  $$VALUES ('2030-06-01Z'::timestamptz, 10), (NULL, 50), ('2030-03-01Z', 0)$$, 'the buckets carry the items'' expiries and priorities');
SELECT is((SELECT expiry_floor FROM wallets.wallets WHERE id = :a), '2030-03-01Z'::timestamptz, 'the expiring items lower the expiry floor');

-- Mixed: refused items get their code and the message wallets.credit raises; nothing else is undone.
SELECT id AS c FROM wallets.open_wallet('cm-carol') \gset
CREATE TEMP TABLE r3 ON COMMIT DROP AS
SELECT * FROM wallets.credit_many(
    ARRAY[:c, -1, :c, :c, :c, :c, :c, :c, :c, :c, :c]::bigint[],
    ARRAY[10, 5, 0, NULL, 7, 7, 7, 7, 7, 9223372036854775807, 20]::bigint[],
    categories => ARRAY[NULL, NULL, NULL, NULL, 'Bonus', 'expiration', NULL, NULL, NULL, NULL, NULL],
    expires_at => ARRAY[NULL, NULL, NULL, NULL, NULL, NULL, '2029-12-31Z', NULL, NULL, NULL, NULL]::timestamptz[],
    metadata => ARRAY[NULL, NULL, NULL, NULL, NULL, NULL, NULL, '[1]', NULL, NULL, NULL]::jsonb[],
    priorities => ARRAY[NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 101, NULL, NULL]);
SELECT results_eq(
    'SELECT item, transaction_id IS NOT NULL, error_code, error_message FROM r3',
    format($$VALUES (1, true, NULL::text, NULL::text),
                    (2, false, 'WL002', 'wallet -1 does not exist'),
                    (3, false, 'WL003', 'wallet %1$s: amount must be a positive whole number, got 0'),
                    (4, false, 'WL003', 'wallet %1$s: amount must be a positive whole number, got NULL'),
                    (5, false, 'WL012', 'wallet %1$s: category ''Bonus'' must match ^[a-z][a-z0-9_]{0,63}$'),
                    (6, false, 'WL012', 'wallet %1$s: category ''expiration'' is reserved for the ledger'),
                    (7, false, 'WL005', 'credit to wallet %1$s expires at 2029-12-31 00:00:00+00, not after now (2030-01-01 00:00:00+00)'),
                    (8, false, 'WL012', 'wallet %1$s: metadata must be a JSON object'),
                    (9, false, 'WL012', 'wallet %1$s: priority must be between 0 and 100, got 101'),
                    (10, false, 'WL003', 'credit of 9223372036854775807 would overflow the balance of wallet %1$s'),
                    (11, true, NULL, NULL)$$, :c),
    'mixed batch: each refused item has its exact code and message and no transaction_id');
SELECT results_eq(format('SELECT id, amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :c),
                  $$SELECT transaction_id, v.amount, v.before, v.after FROM r3 JOIN (VALUES (1, 10::bigint, 0::bigint, 10::bigint), (11, 20, 10, 30)) v(item, amount, before, after) USING (item) ORDER BY item$$,
                  'only items 1 and 11 were written, chained 0 -> 10 -> 30');
SELECT results_eq(format('SELECT ledger_balance, entries, buckets FROM written WHERE id = %s', :c), $$VALUES (30::bigint, 2::bigint, 2::bigint)$$,
                  'the refused items wrote no entry and no bucket');
SELECT is(wallets.balance(:c), 30::bigint, 'carol: 30');

-- A batch credit repays debt first, as wallets.credit does.
SELECT id AS d FROM wallets.open_wallet('cm-dave', allow_negative => true) \gset
SELECT id AS debt_entry FROM wallets.debit(:d, 15) \gset
SELECT results_eq(format('SELECT error_code FROM wallets.credit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[10, 10]::bigint[])', :d),
                  $$VALUES (NULL::text), (NULL)$$, 'two credits to a wallet 15 in debt');
SELECT results_eq(format('SELECT ledger_balance, debt FROM wallets.wallets WHERE id = %s', :d), $$VALUES (5::bigint, 0::bigint)$$,
                  'they repaid the debt: balance 5, no debt left');

-- Replays: within a batch, across batches, of a single credit.
SELECT id AS e FROM wallets.open_wallet('cm-erin') \gset
CREATE TEMP TABLE r4 ON COMMIT DROP AS
SELECT * FROM wallets.credit_many(ARRAY[:e, :e, :e]::bigint[], ARRAY[5, 5, 5]::bigint[], idempotency_keys => ARRAY['dup', 'dup', NULL]);
SELECT is((SELECT count(*) FILTER (WHERE error_code IS NULL) FROM r4), 3::bigint, 'a batch with the same key twice: every item succeeds');
SELECT is((SELECT transaction_id FROM r4 WHERE item = 2), (SELECT transaction_id FROM r4 WHERE item = 1),
          'the second item with the key returns the first one''s transaction id');
SELECT results_eq(format('SELECT ledger_balance, entries FROM written WHERE id = %s', :e), $$VALUES (10::bigint, 2::bigint)$$,
                  'the replayed item wrote nothing: two entries, balance 10');
CREATE TEMP TABLE r5 ON COMMIT DROP AS
SELECT * FROM wallets.credit_many(ARRAY[:e, :e, :e]::bigint[], ARRAY[5, 5, 5]::bigint[], idempotency_keys => ARRAY['dup', 'dup', NULL]);
SELECT results_eq('SELECT item, transaction_id FROM r5 WHERE item < 3', 'SELECT item, transaction_id FROM r4 WHERE item < 3',
                  'the same batch again: the keyed items return the original ids');
SELECT isnt((SELECT transaction_id FROM r5 WHERE item = 3), (SELECT transaction_id FROM r4 WHERE item = 3), '... and the unkeyed item posts anew');
SELECT results_eq(format('SELECT ledger_balance, entries FROM written WHERE id = %s', :e), $$VALUES (15::bigint, 3::bigint)$$,
                  'balance 15: only the unkeyed item was posted again');
SELECT id AS single FROM wallets.credit(:e, 7, idempotency_key => 'single') \gset
SELECT results_eq(format($$SELECT item, transaction_id, error_code FROM wallets.credit_many(ARRAY[%s]::bigint[], ARRAY[7]::bigint[],
                                                                                             idempotency_keys => ARRAY['single'])$$, :e),
                  format('VALUES (1, %s::bigint, NULL::text)', :single), 'a batch item replays the key of a single credit (NULL entries = the defaults it used)');
SELECT results_eq(format($$SELECT item, transaction_id IS NULL, error_code, error_message
                           FROM wallets.credit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[6, 5]::bigint[], idempotency_keys => ARRAY['dup', 'dup'])$$, :e),
                  format($$VALUES (1, true, 'WL006', 'idempotency key ''dup'' on wallet %s was used by transaction %s with other arguments'),
                                  (2, false, NULL, NULL)$$, :e, (SELECT transaction_id FROM r4 WHERE item = 1)),
                  'a key reused with another amount is WL006 for that item; the next item with the original arguments replays');
SELECT id AS f FROM wallets.open_wallet('cm-frank') \gset
SELECT is((SELECT count(DISTINCT transaction_id) FROM wallets.credit_many(ARRAY[:e, :f]::bigint[], ARRAY[1, 1]::bigint[], idempotency_keys => ARRAY['shared', 'shared'])),
          2::bigint, 'keys are per wallet: one key on two wallets of a batch posts two entries');
SELECT id AS soon FROM wallets.credit(:f, 3, expires_at => '2030-01-02Z', idempotency_key => 'soon') \gset
SET LOCAL wallets.clock = '2030-01-03 00:00:00Z';
SELECT results_eq(format($$SELECT transaction_id, error_code FROM wallets.credit_many(ARRAY[%s]::bigint[], ARRAY[3]::bigint[],
                           expires_at => ARRAY['2030-01-02Z']::timestamptz[], idempotency_keys => ARRAY['soon'])$$, :f),
                  format('VALUES (%s::bigint, NULL::text)', :soon), 'a replay after its expiry has passed returns the original, not WL005');
SELECT results_eq(format('SELECT entries FROM written WHERE id = %s', :e), $$VALUES (5::bigint)$$, 'erin: the replays wrote nothing');

-- Atomic.
SELECT id AS g FROM wallets.open_wallet('cm-gina') \gset
SELECT results_eq(format('SELECT item, transaction_id IS NOT NULL, error_code FROM wallets.credit_many(ARRAY[%1$s, %2$s, %1$s]::bigint[], ARRAY[1, 2, 3]::bigint[], atomic => true)', :f, :g),
                  $$VALUES (1, true, NULL::text), (2, true, NULL), (3, true, NULL)$$, 'an atomic batch that succeeds returns its rows');
CREATE TEMP TABLE before_atomic ON COMMIT DROP AS SELECT * FROM written;
SELECT throws_ok(format('SELECT * FROM wallets.credit_many(ARRAY[%1$s, %2$s, %1$s, -1]::bigint[], ARRAY[1, 2, 0, 1]::bigint[], atomic => true)', :f, :g),
                 'WL003', format('item 3: wallet %s: amount must be a positive whole number, got 0', :f),
                 'an atomic batch fails with the first refused item''s SQLSTATE, its message prefixed with "item 3: "');
SELECT is(pg_temp.raised(format('SELECT * FROM wallets.credit_many(ARRAY[%1$s, %2$s, %1$s, -1]::bigint[], ARRAY[1, 2, 0, 1]::bigint[], atomic => true)', :f, :g))->'detail',
          jsonb_build_object('code', 'WL003', 'error', 'invalid_amount', 'wallet_id', :f, 'amount', 0, 'item', 3),
          'its DETAIL is the item''s JSON plus "item": 3');
SELECT is(pg_temp.raised(format('SELECT * FROM wallets.credit_many(ARRAY[%s, -1]::bigint[], ARRAY[1, 1]::bigint[], atomic => true)', :g)),
          jsonb_build_object('sqlstate', 'WL002', 'message', 'item 2: wallet -1 does not exist',
                             'detail', jsonb_build_object('code', 'WL002', 'error', 'wallet_not_found', 'wallet_id', -1, 'item', 2)),
          'an unknown wallet in an atomic batch: WL002 naming item 2');
SELECT throws_ok(format($$SELECT * FROM wallets.credit_many(ARRAY[%s]::bigint[], ARRAY[4]::bigint[], idempotency_keys => ARRAY['soon'], atomic => true)$$, :f),
                 'WL006', format('item 1: idempotency key ''soon'' on wallet %s was used by transaction %s with other arguments', :f, :soon),
                 'a key conflict in an atomic batch: WL006 naming item 1');
SELECT results_eq('SELECT * FROM written ORDER BY id', 'SELECT * FROM before_atomic ORDER BY id', 'the failed atomic batches wrote nothing');
SELECT results_eq(format($$SELECT transaction_id, error_code FROM wallets.credit_many(ARRAY[%s]::bigint[], ARRAY[3]::bigint[],
                           expires_at => ARRAY['2030-01-02Z']::timestamptz[], idempotency_keys => ARRAY['soon'], atomic => true)$$, :f),
                  format('VALUES (%s::bigint, NULL::text)', :soon), 'an atomic batch replays keys as well');

-- Arrays of different lengths, or atomic NULL: WL012 for the whole call, even when not atomic.
SELECT throws_ok(format('SELECT * FROM wallets.credit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[1]::bigint[])', :g), 'WL012',
                 'credit_many: wallet_ids, amounts and every other array given must be lists (first index 1) of one entry per item, and atomic true or false',
                 'fewer amounts than wallet_ids: WL012');
SELECT throws_ok(format($$SELECT * FROM wallets.credit_many('[0:1]={%s,%s}'::bigint[], '{5,6}'::bigint[])$$, :a, :b), 'WL012', NULL,
                 'an array whose first index is not 1 is refused, not misread');
SELECT throws_ok(format($$SELECT * FROM wallets.credit_many('{{%s},{%s}}'::bigint[], '{{5},{6}}'::bigint[])$$, :a, :b), 'WL012', NULL,
                 'a two-dimensional array is refused');
SELECT results_eq($$SELECT error_code, error_detail FROM wallets.credit_many(ARRAY[-9]::bigint[], ARRAY[1]::bigint[])$$,
                  $$VALUES ('WL002', '{"code": "WL002", "error": "wallet_not_found", "wallet_id": -9}'::jsonb)$$,
                  'a refused item carries the DETAIL its single call would raise');
SELECT is(pg_temp.raised(format('SELECT * FROM wallets.credit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[1]::bigint[])', :g))->'detail'->>'argument', 'arrays',
          'its DETAIL names the argument "arrays"');
SELECT throws_ok(format('SELECT * FROM wallets.credit_many(ARRAY[%1$s]::bigint[], ARRAY[1, 1]::bigint[])', :g), 'WL012', NULL, 'more amounts than wallet_ids: WL012');
SELECT throws_ok(format('SELECT * FROM wallets.credit_many(ARRAY[%1$s]::bigint[], NULL)', :g), 'WL012', NULL, 'amounts NULL: WL012');
SELECT throws_ok(format('SELECT * FROM wallets.credit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[1, 1]::bigint[], categories => ARRAY[''a''])', :g), 'WL012', NULL,
                 'a shorter categories array: WL012');
SELECT throws_ok(format('SELECT * FROM wallets.credit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[1, 1]::bigint[], expires_at => ARRAY[NULL, NULL, NULL]::timestamptz[])', :g),
                 'WL012', NULL, 'a longer expires_at array: WL012');
SELECT throws_ok(format($$SELECT * FROM wallets.credit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[1, 1]::bigint[], metadata => ARRAY['{}']::jsonb[])$$, :g),
                 'WL012', NULL, 'a shorter metadata array: WL012');
SELECT throws_ok(format('SELECT * FROM wallets.credit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[1, 1]::bigint[], idempotency_keys => ''{}'')', :g),
                 'WL012', NULL, 'an empty idempotency_keys array for two items: WL012');
SELECT throws_ok(format('SELECT * FROM wallets.credit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[1, 1]::bigint[], priorities => ARRAY[1, 2, 3])', :g),
                 'WL012', NULL, 'a longer priorities array: WL012');
SELECT throws_ok(format('SELECT * FROM wallets.credit_many(ARRAY[%1$s]::bigint[], ARRAY[1]::bigint[], atomic => NULL)', :g), 'WL012', NULL, 'atomic NULL: WL012');
SELECT results_eq('SELECT * FROM written ORDER BY id', 'SELECT * FROM before_atomic ORDER BY id', 'the rejected calls wrote nothing');

-- Empty arrays: zero rows.
SELECT is_empty($$SELECT * FROM wallets.credit_many('{}', '{}')$$, 'empty arrays: zero rows');
SELECT is_empty($$SELECT * FROM wallets.credit_many('{}', '{}', '{}', '{}', '{}', '{}', '{}', true)$$, 'every array empty, atomic: zero rows');

-- Every wallet of the batch is locked until the transaction ends, even one whose only item is refused.
SELECT id AS h FROM wallets.open_wallet('cm-heidi') \gset
SELECT id AS i FROM wallets.open_wallet('cm-ivan') \gset
CREATE TEMP VIEW my_wallet_locks AS
SELECT (l.classid::bigint << 32) | l.objid::bigint AS key FROM pg_locks l
WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.pid = pg_backend_pid() AND l.granted;
SELECT is_empty(format('SELECT * FROM my_wallet_locks WHERE key IN (wallets._lock_key(%s), wallets._lock_key(%s))', :h, :i),
                'before the batch neither wallet is locked');
SELECT results_eq(format('SELECT error_code FROM wallets.credit_many(ARRAY[%s, %s]::bigint[], ARRAY[1, 0]::bigint[])', :h, :i),
                  $$VALUES (NULL::text), ('WL003')$$, 'a batch: heidi credited, ivan''s only item refused');
SELECT set_eq(format('SELECT key FROM my_wallet_locks WHERE key IN (wallets._lock_key(%s), wallets._lock_key(%s))', :h, :i),
              format('VALUES (wallets._lock_key(%s)), (wallets._lock_key(%s))', :h, :i),
              'both wallets'' locks are held until the transaction ends');

-- Privileges.
SELECT function_privs_are('wallets', 'credit_many',
                          ARRAY['bigint[]', 'bigint[]', 'text[]', 'timestamp with time zone[]', 'jsonb[]', 'text[]', 'integer[]', 'boolean'],
                          'wallets_app', ARRAY['EXECUTE'], 'wallets_app may execute credit_many');
SELECT function_privs_are('wallets', 'credit_many',
                          ARRAY['bigint[]', 'bigint[]', 'text[]', 'timestamp with time zone[]', 'jsonb[]', 'text[]', 'integer[]', 'boolean'],
                          'wallets_reader', ARRAY[]::text[], 'wallets_reader may not');
SELECT is_empty($$SELECT FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                  WHERE p.oid = 'wallets.credit_many(bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean)'::regprocedure
                    AND a.grantee = 0$$, 'PUBLIC has no privilege on credit_many');
SELECT is((SELECT prosecdef FROM pg_proc WHERE oid = 'wallets.credit_many(bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean)'::regprocedure),
          true, 'credit_many is SECURITY DEFINER');
SELECT lives_ok(format($$SET LOCAL ROLE wallets_app;
                         SELECT * FROM wallets.credit_many(ARRAY[%1$s, %1$s]::bigint[], ARRAY[2, 3]::bigint[], categories => ARRAY['app', NULL]);
                         RESET ROLE$$, :h),
                'wallets_app can call credit_many');
SELECT is(wallets.balance(:h), 6::bigint, 'its credits went through: 1 + 2 + 3');
CREATE ROLE pgwallets_test_cm_nobody NOLOGIN;
GRANT USAGE ON SCHEMA wallets TO pgwallets_test_cm_nobody;
SELECT throws_ok(format('SET LOCAL ROLE pgwallets_test_cm_nobody; SELECT * FROM wallets.credit_many(ARRAY[%s]::bigint[], ARRAY[1]::bigint[])', :h),
                 '42501', 'permission denied for function credit_many', 'a role with only what PUBLIC has cannot call credit_many');

SELECT is_empty($$SELECT * FROM wallets.check() WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'cm-%')$$,
                'check() finds nothing');

SELECT * FROM finish();
ROLLBACK;
