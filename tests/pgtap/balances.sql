-- The view wallets.balances: per wallet at wallets.now(), posted (credits minus debits still live),
-- held (reserved by active holds) and available (posted minus held, = wallets.balance()).
-- Buckets past expiry stop counting and holds past expiry stop holding at that instant, before any sweep.
BEGIN;
SELECT plan(34);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_view('wallets', 'balances', 'wallets.balances exists');
SELECT columns_are('wallets', 'balances', ARRAY['wallet_id', 'owner', 'asset', 'posted', 'held', 'available'],
                   'balances has wallet_id, owner, asset, posted, held, available');
SELECT col_type_is('wallets', 'balances', 'wallet_id', 'bigint', 'wallet_id is bigint');
SELECT col_type_is('wallets', 'balances', 'posted', 'bigint', 'posted is bigint, like every amount');
SELECT col_type_is('wallets', 'balances', 'held', 'bigint', 'held is bigint');
SELECT col_type_is('wallets', 'balances', 'available', 'bigint', 'available is bigint');
SELECT isnt(obj_description('wallets.balances'::regclass, 'pg_class'), NULL, 'balances has a comment');

SELECT id AS w FROM wallets.open_wallet('bv-alice') \gset
SELECT results_eq(format('SELECT wallet_id, owner, asset, posted, held, available FROM wallets.balances WHERE wallet_id = %s', :w),
                  format($$VALUES (%s::bigint, 'bv-alice', 'credits', 0::bigint, 0::bigint, 0::bigint)$$, :w), 'a new wallet: all zero');
SELECT id AS usd FROM wallets.open_wallet('bv-alice', 'usd') \gset
SELECT results_eq(format('SELECT owner, asset FROM wallets.balances WHERE wallet_id = %s', :usd), $$VALUES ('bv-alice', 'usd')$$,
                  'one row per wallet, with its owner and asset');
SELECT is((SELECT count(*) FROM wallets.balances), (SELECT count(*) FROM wallets.wallets), 'exactly one row per wallet');

-- Credits, a debit, a hold.
SELECT id AS c_never FROM wallets.credit(:w, 100) \gset
SELECT id AS c_soon FROM wallets.credit(:w, 50, expires_at => '2030-01-05 00:00:00Z') \gset
SELECT id AS d FROM wallets.debit(:w, 30) \gset
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :w), 'VALUES (120::bigint, 0::bigint, 120::bigint)',
                  'credits 150 minus the debit 30: 120 posted and available');
SELECT id AS h FROM wallets.hold(:w, 40, '2030-01-03 00:00:00Z') \gset
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.hold_allocations WHERE hold_id = %s ORDER BY source_transaction_id', :h),
                  format('VALUES (%s::bigint, 20::bigint), (%s::bigint, 20::bigint)', :c_never, :c_soon),
                  'the hold reserves the 20 left of the expiring bucket and 20 never-expiring');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :w), 'VALUES (120::bigint, 40::bigint, 80::bigint)',
                  'the hold: posted unchanged, 40 held, 80 available');
SELECT is(wallets.balance(:w), 80::bigint, 'balance() is the available figure');
SELECT results_eq(format('SELECT ledger_balance, held FROM wallets.wallets WHERE id = %s', :w), 'VALUES (120::bigint, 40::bigint)',
                  'the caches behind it: ledger_balance 120, held 40');

-- The hold lapses, then the bucket expires: the figures follow the clock with nothing swept.
CREATE TEMP TABLE entries_before ON COMMIT DROP AS SELECT count(*) AS n FROM wallets.transactions WHERE wallet_id = :w;
SET LOCAL wallets.clock = '2030-01-02 23:59:59.999999Z';
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :w), 'VALUES (120::bigint, 40::bigint, 80::bigint)',
                  'a microsecond before the hold''s expiry');
SET LOCAL wallets.clock = '2030-01-03 00:00:00Z';
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :w), 'VALUES (120::bigint, 0::bigint, 120::bigint)',
                  'at the hold''s expiry it stops holding: 120 available');
SET LOCAL wallets.clock = '2030-01-05 00:00:00Z';
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :w), 'VALUES (100::bigint, 0::bigint, 100::bigint)',
                  'at the bucket''s expiry its 20 (reserved by the lapsed hold) stop counting');
SET LOCAL wallets.clock = '2030-01-02 00:00:00Z';
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :w), 'VALUES (120::bigint, 40::bigint, 80::bigint)',
                  'with the clock back, the unswept hold holds again');
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :w), (SELECT n FROM entries_before), 'reading the view posted nothing');
SELECT results_eq(format('SELECT status FROM wallets.holds WHERE id = %s', :h), $$VALUES ('active')$$, '... and ended no hold');
SET LOCAL wallets.clock = '2030-01-05 00:00:00Z';
SELECT is(wallets.expire_due(), 1::bigint, 'the sweep ends the hold and expires the bucket');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :w), 'VALUES (100::bigint, 0::bigint, 100::bigint)',
                  'the figures are the same after the sweep');
SELECT results_eq(format('SELECT ledger_balance, held FROM wallets.wallets WHERE id = %s', :w), 'VALUES (100::bigint, 0::bigint)',
                  'and the ledger now says so too');

-- An active hold keeps credits past their bucket's expiry: posted and held both count them.
SELECT id AS k FROM wallets.open_wallet('bv-keep') \gset
SELECT id AS k_soon FROM wallets.credit(:k, 30, expires_at => '2030-01-06 00:00:00Z') \gset
SELECT id AS kh FROM wallets.hold(:k, 25, '2030-01-10 00:00:00Z') \gset
SET LOCAL wallets.clock = '2030-01-07 00:00:00Z';
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :k), 'VALUES (25::bigint, 25::bigint, 0::bigint)',
                  'past the bucket''s expiry: its free 5 are gone, the held 25 still posted and held');
SET LOCAL wallets.clock = '2030-01-10 00:00:00Z';
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :k), 'VALUES (0::bigint, 0::bigint, 0::bigint)',
                  'at the hold''s expiry the 25 go back to the expired bucket: nothing left');
SET LOCAL wallets.clock = '2030-01-05 00:00:00Z';

-- Debt: posted and available go negative.
SELECT id AS n FROM wallets.open_wallet('bv-neg', allow_negative => true) \gset
SELECT lives_ok(format('SELECT wallets.credit(%s, 10); SELECT wallets.debit(%s, 25)', :n, :n), 'credit 10, debit 25');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :n), 'VALUES (-15::bigint, 0::bigint, -15::bigint)',
                  'a debt of 15: posted and available -15');
-- A hold, then a debit into debt that cannot touch the reserved credits.
SELECT id AS m FROM wallets.open_wallet('bv-neg-held', allow_negative => true) \gset
SELECT id AS m_c FROM wallets.credit(:m, 50) \gset
SELECT id AS mh FROM wallets.hold(:m, 20, '2030-02-01 00:00:00Z') \gset
SELECT id AS m_d FROM wallets.debit(:m, 40) \gset
SELECT results_eq(format('SELECT ledger_balance, debt, held FROM wallets.wallets WHERE id = %s', :m), 'VALUES (10::bigint, 10::bigint, 20::bigint)',
                  'the debit takes the 30 free and owes 10: ledger 10, debt 10, 20 held');
SELECT results_eq(format('SELECT posted, held, available FROM wallets.balances WHERE wallet_id = %s', :m), 'VALUES (10::bigint, 20::bigint, -10::bigint)',
                  'posted 10, held 20, available -10');
SELECT is(wallets.balance(:m), -10::bigint, 'balance -10');

-- For every wallet: balance() is available, and available is posted minus held.
SELECT is_empty('SELECT b.wallet_id FROM wallets.balances b WHERE b.available <> wallets.balance(b.wallet_id)', 'balance() = available for every wallet');
SELECT is_empty('SELECT b.wallet_id FROM wallets.balances b WHERE b.posted - b.held <> b.available', 'posted - held = available for every wallet');
SELECT is_empty($$SELECT * FROM wallets.check() WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'bv-%')$$, 'the ledger is consistent');

SELECT * FROM finish();
ROLLBACK;
