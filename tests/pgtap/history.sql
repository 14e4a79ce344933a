-- wallets.history(wallet_id, before_id, max_rows): a wallet's entries, newest first, paged by id.
BEGIN;
SELECT plan(15);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_function('wallets', 'history', ARRAY['bigint', 'bigint', 'integer'], 'history(bigint, bigint, integer) exists');
SELECT function_returns('wallets', 'history', ARRAY['bigint', 'bigint', 'integer'], 'setof wallets.transactions', 'history returns setof wallets.transactions');

SELECT id AS w FROM wallets.open_wallet('hist-alice') \gset
SELECT id AS other FROM wallets.open_wallet('hist-bob') \gset
SELECT is_empty(format('SELECT * FROM wallets.history(%s)', :w), 'a new wallet has no history');

SELECT id AS t1 FROM wallets.credit(:w, 100, expires_at => '2030-01-02 00:00:00Z') \gset
SELECT id AS o1 FROM wallets.credit(:other, 5) \gset
SELECT id AS t2 FROM wallets.credit(:w, 50) \gset
SELECT id AS t3 FROM wallets.debit(:w, 30) \gset
SET LOCAL wallets.clock = '2030-01-03 00:00:00Z';
SELECT id AS t5 FROM wallets.debit(:w, 10) \gset
SELECT id AS t4 FROM wallets.transactions WHERE wallet_id = :w AND category = 'expiration' \gset

SELECT results_eq(format('SELECT id FROM wallets.history(%s)', :w),
                  format('VALUES (%s::bigint), (%s::bigint), (%s::bigint), (%s::bigint), (%s::bigint)', :t5, :t4, :t3, :t2, :t1),
                  'all entries, newest first, expirations included, other wallets excluded');
SELECT results_eq(format('SELECT * FROM wallets.history(%s)', :w),
                  format('SELECT * FROM wallets.transactions WHERE wallet_id = %s ORDER BY id DESC', :w), 'whole rows');
SELECT results_eq(format('SELECT category, amount, balance_before, balance_after FROM wallets.history(%s, max_rows => 2)', :w),
                  $$VALUES ('debit', -10::bigint, 50::bigint, 40::bigint), ('expiration', -70::bigint, 120::bigint, 50::bigint)$$,
                  'max_rows limits the page');
SELECT results_eq(format('SELECT id FROM wallets.history(%s, %s, 2)', :w, :t4),
                  format('VALUES (%s::bigint), (%s::bigint)', :t3, :t2), 'before_id gives the next page');
SELECT results_eq(format('SELECT id FROM wallets.history(%s, %s, 2)', :w, :t2),
                  format('VALUES (%s::bigint)', :t1), 'the last page is short');
SELECT is_empty(format('SELECT * FROM wallets.history(%s, %s, 2)', :w, :t1), 'past the oldest entry: empty');
SELECT results_eq(format('SELECT id FROM wallets.history(%s, %s)', :w, :o1), format('VALUES (%s::bigint)', :t1),
                  'before_id may be any id, even another wallet''s');
SELECT is_empty(format('SELECT * FROM wallets.history(%s, max_rows => 0)', :w), 'max_rows 0: empty');
SELECT is_empty(format('SELECT * FROM wallets.history(%s, max_rows => -5)', :w), 'a negative max_rows: empty, no error');
SELECT results_eq(format('SELECT id FROM wallets.history(%s)', :other), format('VALUES (%s::bigint)', :o1), 'the other wallet''s history');
SELECT is_empty('SELECT * FROM wallets.history(-1)', 'an unknown wallet has an empty history');

-- Default page size is 100.
DO $$ BEGIN FOR i IN 1 .. 120 LOOP PERFORM wallets.credit((wallets.open_wallet('hist-carol')).id, 1); END LOOP; END $$;
SELECT is((SELECT count(*) FROM wallets.history((wallets.find_wallet('hist-carol')).id)), 100::bigint, 'max_rows defaults to 100');

SELECT * FROM finish();
ROLLBACK;
