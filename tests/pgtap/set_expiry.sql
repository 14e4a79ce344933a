-- wallets.set_expiry(transaction_id, expires_at): moves what is left (free) of a credit's bucket to
-- a new expiry (NULL: never) as an entry pair of category expiry_change: a debit from the old
-- bucket and a credit opening a new bucket with the same priority. The old row is never edited.
BEGIN;
SELECT plan(41);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_function('wallets', 'set_expiry', ARRAY['bigint', 'timestamp with time zone'], 'set_expiry(bigint, timestamptz) exists');
SELECT function_returns('wallets', 'set_expiry', ARRAY['bigint', 'timestamp with time zone'], 'wallets.transactions', 'set_expiry returns a wallets.transactions row');
SELECT isnt(obj_description('wallets.set_expiry(bigint, timestamptz)'::regprocedure, 'pg_proc'), NULL, 'set_expiry has a comment');

SELECT id AS s FROM wallets.open_wallet('sx-alice') \gset
SELECT id AS c1 FROM wallets.credit(:s, 100, 'grant', '2030-01-10 00:00:00Z', '{"g": 1}', priority => 20) \gset
SELECT id AS c2 FROM wallets.credit(:s, 40) \gset
SELECT id AS d FROM wallets.debit(:s, 30) \gset
CREATE TEMP TABLE c1_row ON COMMIT DROP AS SELECT * FROM wallets.transactions WHERE id = :c1;

-- Extend: the 70 left of the 10-day credit now expire on 2030-02-01.
SET LOCAL wallets.clock = '2030-01-02 00:00:00Z';
CREATE TEMP TABLE n1 ON COMMIT DROP AS SELECT * FROM wallets.set_expiry(:c1, '2030-02-01 00:00:00Z');
SELECT id AS n1 FROM n1 \gset
SELECT results_eq(
    'SELECT wallet_id, amount, category, expires_at, priority, balance_before, balance_after, metadata, idempotency_key, created_at FROM n1',
    format($$VALUES (%s::bigint, 70::bigint, 'expiry_change', '2030-02-01 00:00:00Z'::timestamptz, 20, 40::bigint, 110::bigint,
                     jsonb_build_object('from_transaction_id', %s), NULL::text, '2030-01-02 00:00:00Z'::timestamptz)$$, :s, :c1),
    'set_expiry returns the new credit: 70, expiring 2030-02-01, with the old credit''s priority 20');
SELECT results_eq(format('SELECT * FROM wallets.transactions WHERE id = %s', :n1), 'SELECT * FROM n1', 'the returned row is the stored row');
SELECT results_eq(
    format('SELECT amount, category, expires_at, priority, balance_before, balance_after, metadata FROM wallets.transactions WHERE wallet_id = %s AND id > %s ORDER BY id', :s, :d),
    format($$VALUES (-70::bigint, 'expiry_change', NULL::timestamptz, NULL::integer, 110::bigint, 40::bigint, '{"to_expires_at": "2030-02-01T00:00:00+00:00"}'::jsonb),
                    (70::bigint, 'expiry_change', '2030-02-01 00:00:00Z'::timestamptz, 20, 40::bigint, 110::bigint, jsonb_build_object('from_transaction_id', %s))$$, :c1),
    'an entry pair: a debit of 70 from the old bucket, then the new credit');
SELECT results_eq(
    format($$SELECT a.source_transaction_id, a.amount FROM wallets.allocations a JOIN wallets.transactions t ON t.wallet_id = a.wallet_id AND t.id = a.transaction_id
             WHERE a.wallet_id = %s AND t.category = 'expiry_change'$$, :s),
    format('VALUES (%s::bigint, 70::bigint)', :c1), 'the debit half is allocated against the old bucket');
SELECT results_eq(format('SELECT * FROM wallets.transactions WHERE id = %s', :c1), 'SELECT * FROM c1_row', 'the old credit is not edited: it still says 2030-01-10');
SELECT results_eq(
    format('SELECT transaction_id, category, amount, remaining, expires_at, priority, status FROM wallets.buckets WHERE wallet_id = %s ORDER BY transaction_id', :s),
    format($$VALUES (%s::bigint, 'grant', 100::bigint, 0::bigint, '2030-01-10 00:00:00Z'::timestamptz, 20, 'spent'),
                    (%s::bigint, 'credit', 40::bigint, 40::bigint, NULL::timestamptz, 50, 'active'),
                    (%s::bigint, 'expiry_change', 70::bigint, 70::bigint, '2030-02-01 00:00:00Z'::timestamptz, 20, 'active')$$, :c1, :c2, :n1),
    'buckets: the old one is spent, the new one holds the 70 with the new expiry and the old priority');
SELECT is((SELECT expired FROM wallets.bucket_state WHERE transaction_id = :c1), false, 'the old bucket is not flagged expired');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :s), 'VALUES (110::bigint, 0::bigint, 110::bigint)',
                  'balances unchanged: 110');

-- Never: expires_at NULL.
SELECT id AS c3 FROM wallets.credit(:s, 20, expires_at => '2030-01-05 00:00:00Z') \gset
CREATE TEMP TABLE n3 ON COMMIT DROP AS SELECT * FROM wallets.set_expiry(:c3, NULL);
SELECT id AS n3 FROM n3 \gset
SELECT results_eq('SELECT amount, expires_at, priority, metadata FROM n3', format($$VALUES (20::bigint, NULL::timestamptz, 50, jsonb_build_object('from_transaction_id', %s))$$, :c3),
                  'NULL moves the credit to never expiring');
SELECT is((SELECT metadata FROM wallets.transactions WHERE wallet_id = :s AND id = :n3 - 1), '{"to_expires_at": null}'::jsonb,
          'the debit half records the new expiry, null');

-- The new bucket keeps its priority in the draw-down order: priority 20 goes before an earlier-expiring priority 50.
SELECT id AS c4 FROM wallets.credit(:s, 5, expires_at => '2030-01-20 00:00:00Z') \gset
SELECT id AS d2 FROM wallets.debit(:s, 10) \gset
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE transaction_id = %s', :d2),
                  format('VALUES (%s::bigint, 10::bigint)', :n1), 'the debit draws the moved credit (priority 20) first');
SELECT results_eq(
    format('SELECT category, amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :s),
    $$VALUES ('grant', 100::bigint, 0::bigint, 100::bigint), ('credit', 40::bigint, 100::bigint, 140::bigint), ('debit', -30::bigint, 140::bigint, 110::bigint),
             ('expiry_change', -70::bigint, 110::bigint, 40::bigint), ('expiry_change', 70::bigint, 40::bigint, 110::bigint),
             ('credit', 20::bigint, 110::bigint, 130::bigint),
             ('expiry_change', -20::bigint, 130::bigint, 110::bigint), ('expiry_change', 20::bigint, 110::bigint, 130::bigint),
             ('credit', 5::bigint, 130::bigint, 135::bigint), ('debit', -10::bigint, 135::bigint, 125::bigint)$$,
    'the balance chain runs through both pairs');

-- Refused: nothing written.
CREATE TEMP TABLE before_errors ON COMMIT DROP AS SELECT count(*) AS n FROM wallets.transactions;
SELECT throws_ok(format('SELECT wallets.set_expiry(%s, %L)', :n1, '2030-01-02 00:00:00Z'), 'WL005',
                 format('credit %s on wallet %s cannot move to 2030-01-02 00:00:00+00, not after now (2030-01-02 00:00:00+00)', :n1, :s), 'a new expiry equal to now is WL005');
SELECT throws_ok(format('SELECT wallets.set_expiry(%s, %L)', :n1, '2029-06-01 00:00:00Z'), 'WL005',
                 format('credit %s on wallet %s cannot move to 2029-06-01 00:00:00+00, not after now (2030-01-02 00:00:00+00)', :n1, :s), 'a new expiry in the past is WL005');
SELECT throws_ok(format('SELECT wallets.set_expiry(%s, NULL)', :c1), 'WL012', format('credit %s on wallet %s has nothing left to move', :c1, :s),
                 'moving an emptied bucket is WL012');
SELECT throws_ok(format('SELECT wallets.set_expiry(%s, NULL)', :d), 'WL012', format('transaction %s on wallet %s is not a credit: only a credit has an expiry', :d, :s),
                 'moving a debit is WL012');
SELECT throws_ok(format('SELECT wallets.set_expiry(%s, NULL)', :n1 - 1), 'WL012', format('transaction %s on wallet %s is not a credit: only a credit has an expiry', :n1 - 1, :s),
                 'moving the debit half of an expiry change is WL012');
SELECT throws_ok('SELECT wallets.set_expiry(-1, NULL)', 'WL012', 'transaction -1 does not exist', 'an unknown transaction is WL012');
SELECT is((SELECT count(*) FROM wallets.transactions), (SELECT n FROM before_errors), 'the refused changes wrote nothing');
SELECT lives_ok(format('SELECT wallets.set_expiry(%s, %L)', :n1, '2030-01-02 00:00:00.000001Z'), 'one microsecond after now is accepted (shortening)');
SELECT lives_ok(format('SELECT wallets.set_expiry(%s, %L)', (SELECT max(id) FROM wallets.transactions WHERE wallet_id = :s), '2030-02-01 00:00:00Z'),
                'and the moved credit can move again');
SELECT results_eq(format($$SELECT amount, expires_at, priority FROM wallets.buckets WHERE wallet_id = %s AND remaining > 0 AND category = 'expiry_change' ORDER BY transaction_id$$, :s),
                  $$VALUES (20::bigint, NULL::timestamptz, 50), (60::bigint, '2030-02-01 00:00:00Z'::timestamptz, 20)$$,
                  'after two more moves the 60 are back on 2030-02-01, still priority 20');

-- Credits reserved by a hold stay in the old bucket, with the old expiry.
SELECT id AS h FROM wallets.open_wallet('sx-held') \gset
SELECT id AS hc FROM wallets.credit(:h, 50, expires_at => '2030-01-04 00:00:00Z') \gset
SELECT id AS hh FROM wallets.hold(:h, 20, '2030-01-10 00:00:00Z') \gset
SELECT id AS hn FROM wallets.set_expiry(:hc, NULL) \gset
SELECT is((SELECT amount FROM wallets.transactions WHERE id = :hn), 30::bigint, 'only the free 30 move');
SELECT results_eq(format('SELECT transaction_id, remaining, held, expires_at FROM wallets.buckets WHERE wallet_id = %s ORDER BY transaction_id', :h),
                  format($$VALUES (%s::bigint, 20::bigint, 20::bigint, '2030-01-04 00:00:00Z'::timestamptz), (%s::bigint, 30::bigint, 0::bigint, NULL)$$, :hc, :hn),
                  'the held 20 stay in the old bucket');
SELECT throws_ok(format('SELECT wallets.set_expiry(%s, NULL)', :hc), 'WL012', format('credit %s on wallet %s has nothing left to move', :hc, :h),
                 'a bucket whose rest is all held has nothing left to move');

-- A bucket past its expiry is expired by the sweep first: nothing left to move.
SELECT id AS e FROM wallets.open_wallet('sx-expired') \gset
SELECT id AS e1 FROM wallets.credit(:e, 10, expires_at => '2030-01-03 00:00:00Z') \gset
SET LOCAL wallets.clock = '2030-01-03 00:00:00Z';
SELECT throws_ok(format('SELECT wallets.set_expiry(%s, NULL)', :e1), 'WL012', format('credit %s on wallet %s has nothing left to move', :e1, :e),
                 'an expired credit cannot be revived');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :e), 1::bigint, 'nothing written');

-- The held 20 outlive the old expiry, then expire when released.
SET LOCAL wallets.clock = '2030-01-05 00:00:00Z';
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :h), 'VALUES (50::bigint, 20::bigint, 30::bigint)',
                  'past the old expiry: the moved 30 available, the held 20 still posted');
SELECT lives_ok(format('SELECT wallets.release(%s)', :hh), 'release the hold');
SELECT results_eq(
    format('SELECT category, amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :h),
    $$VALUES ('credit', 50::bigint, 0::bigint, 50::bigint), ('expiry_change', -30::bigint, 50::bigint, 20::bigint),
             ('expiry_change', 30::bigint, 20::bigint, 50::bigint), ('expiration', -20::bigint, 50::bigint, 30::bigint)$$,
    'the released 20 expire with their old bucket');
SELECT is(wallets.balance(:h), 30::bigint, 'the moved 30 remain');

-- Time: the moved credits follow their new expiry, not the old one.
SET LOCAL wallets.clock = '2030-01-10 00:00:00Z';
SELECT is(wallets.balance(:s), 125::bigint, 'at the old expiry (2030-01-10) nothing of the moved credit expires');
SET LOCAL wallets.clock = '2030-01-20 00:00:00Z';
SELECT is(wallets.balance(:s), 120::bigint, 'the 5 expiring 2030-01-20 go');
SET LOCAL wallets.clock = '2030-02-01 00:00:00Z';
SELECT is(wallets.balance(:s), 60::bigint, 'the moved 60 go at the new expiry');
SELECT lives_ok('SELECT wallets.expire_due()', 'sweep');
SELECT results_eq(format($$SELECT a.source_transaction_id, a.amount FROM wallets.allocations a JOIN wallets.transactions t ON t.wallet_id = a.wallet_id AND t.id = a.transaction_id
                          WHERE a.wallet_id = %s AND t.category = 'expiration' ORDER BY t.id$$, :s),
                  format($$VALUES (%s::bigint, 5::bigint), ((SELECT max(transaction_id) FROM wallets.bucket_state WHERE wallet_id = %s AND expires_at = '2030-02-01Z'), 60::bigint)$$, :c4, :s),
                  'the expirations: the 5, then the 60 from the last moved bucket');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :s), 'VALUES (60::bigint, 0::bigint, 60::bigint)',
                  'the never-expiring 40 and 20 remain');

SELECT is_empty($$SELECT * FROM wallets.check() WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'sx-%')$$, 'the ledger is consistent');

SELECT * FROM finish();
ROLLBACK;
