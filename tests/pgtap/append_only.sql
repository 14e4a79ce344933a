-- wallets.transactions and wallets.allocations are append-only for every role, owner and superuser included.
BEGIN;
SELECT plan(55);
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;  -- TRUNCATE ... CASCADE notices
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_trigger('wallets', 'transactions', 'transactions_append_only', 'transactions has its append-only trigger');
SELECT has_trigger('wallets', 'allocations', 'allocations_append_only', 'allocations has its append-only trigger');
SELECT trigger_is('wallets', 'transactions', 'transactions_append_only', 'wallets', '_reject_ledger_change', 'the transactions trigger calls _reject_ledger_change');
SELECT trigger_is('wallets', 'allocations', 'allocations_append_only', 'wallets', '_reject_ledger_change', 'the allocations trigger calls _reject_ledger_change');

SELECT id AS w FROM wallets.open_wallet('ao-alice') \gset
SELECT id AS c FROM wallets.credit(:w, 10) \gset
SELECT id AS d FROM wallets.debit(:w, 4) \gset

CREATE TEMP TABLE snapshot_t ON COMMIT DROP AS SELECT * FROM wallets.transactions WHERE wallet_id = :w;
CREATE TEMP TABLE snapshot_a ON COMMIT DROP AS SELECT * FROM wallets.allocations WHERE wallet_id = :w;

-- As the superuser running the tests.
SELECT is(current_user::text, 'postgres', 'running as the superuser');
SELECT throws_ok(format('UPDATE wallets.transactions SET amount = 1000 WHERE id = %s', :c), 'WL010',
                 'UPDATE on wallets.transactions is not allowed: the ledger is append-only; post a correcting entry instead',
                 'superuser: UPDATE transactions is WL010');
SELECT throws_ok('UPDATE wallets.transactions SET amount = 1 WHERE false', 'WL010', NULL,
                 'superuser: even an UPDATE matching no row is WL010');
SELECT throws_ok(format('DELETE FROM wallets.transactions WHERE id = %s', :d), 'WL010',
                 'DELETE on wallets.transactions is not allowed: the ledger is append-only; post a correcting entry instead',
                 'superuser: DELETE transactions is WL010');
SELECT throws_ok('DELETE FROM wallets.transactions WHERE false', 'WL010', NULL, 'superuser: even a DELETE matching no row is WL010');
SELECT throws_ok('TRUNCATE wallets.transactions CASCADE', 'WL010',
                 'TRUNCATE on wallets.transactions is not allowed: the ledger is append-only; post a correcting entry instead',
                 'superuser: TRUNCATE transactions CASCADE is WL010');
SELECT throws_ok('TRUNCATE wallets.allocations, wallets.transactions', 'WL010', NULL, 'superuser: TRUNCATE of both tables is WL010');
-- No foreign key points at transactions, so even a bare TRUNCATE reaches the trigger.
SELECT throws_ok('TRUNCATE wallets.transactions', 'WL010', NULL, 'superuser: a bare TRUNCATE transactions is WL010');
SELECT throws_ok(format('UPDATE wallets.allocations SET amount = 1 WHERE transaction_id = %s', :d), 'WL010',
                 'UPDATE on wallets.allocations is not allowed: the ledger is append-only; post a correcting entry instead',
                 'superuser: UPDATE allocations is WL010');
SELECT throws_ok(format('DELETE FROM wallets.allocations WHERE transaction_id = %s', :d), 'WL010',
                 'DELETE on wallets.allocations is not allowed: the ledger is append-only; post a correcting entry instead',
                 'superuser: DELETE allocations is WL010');
SELECT throws_ok('TRUNCATE wallets.allocations', 'WL010',
                 'TRUNCATE on wallets.allocations is not allowed: the ledger is append-only; post a correcting entry instead',
                 'superuser: TRUNCATE allocations is WL010');

-- As the owner of the tables.
SELECT throws_ok(format('SET LOCAL ROLE wallets_owner; UPDATE wallets.transactions SET amount = 1000 WHERE id = %s', :c), 'WL010', NULL,
                 'wallets_owner: UPDATE transactions is WL010');
SELECT throws_ok(format('SET LOCAL ROLE wallets_owner; UPDATE wallets.transactions SET metadata = %L WHERE id = %s', '{"x": 1}', :c), 'WL010', NULL,
                 'wallets_owner: even a metadata UPDATE is WL010');
SELECT throws_ok(format('SET LOCAL ROLE wallets_owner; DELETE FROM wallets.transactions WHERE id = %s', :d), 'WL010', NULL,
                 'wallets_owner: DELETE transactions is WL010');
SELECT throws_ok('SET LOCAL ROLE wallets_owner; TRUNCATE wallets.transactions CASCADE', 'WL010', NULL,
                 'wallets_owner: TRUNCATE transactions CASCADE is WL010');
SELECT throws_ok('SET LOCAL ROLE wallets_owner; TRUNCATE wallets.transactions', 'WL010', NULL,
                 'wallets_owner: a bare TRUNCATE transactions is WL010');
SELECT throws_ok(format('SET LOCAL ROLE wallets_owner; UPDATE wallets.allocations SET amount = 1 WHERE transaction_id = %s', :d), 'WL010', NULL,
                 'wallets_owner: UPDATE allocations is WL010');
SELECT throws_ok(format('SET LOCAL ROLE wallets_owner; DELETE FROM wallets.allocations WHERE transaction_id = %s', :d), 'WL010', NULL,
                 'wallets_owner: DELETE allocations is WL010');
SELECT throws_ok('SET LOCAL ROLE wallets_owner; TRUNCATE wallets.allocations', 'WL010', NULL,
                 'wallets_owner: TRUNCATE allocations is WL010');
SELECT is(current_user::text, 'postgres', 'the role is back to the superuser');

-- The application and reader roles have no table privileges at all.
SELECT throws_ok(format('SET LOCAL ROLE wallets_app; UPDATE wallets.transactions SET amount = 1000 WHERE id = %s', :c), '42501', NULL,
                 'wallets_app: UPDATE transactions is permission denied');
SELECT throws_ok(format('SET LOCAL ROLE wallets_app; DELETE FROM wallets.allocations WHERE transaction_id = %s', :d), '42501', NULL,
                 'wallets_app: DELETE allocations is permission denied');
SELECT throws_ok('SET LOCAL ROLE wallets_app; TRUNCATE wallets.transactions CASCADE', '42501', NULL,
                 'wallets_app: TRUNCATE transactions is permission denied');
SELECT throws_ok('SET LOCAL ROLE wallets_reader; TRUNCATE wallets.allocations', '42501', NULL,
                 'wallets_reader: TRUNCATE allocations is permission denied');

-- Nothing changed.
SELECT results_eq(format('SELECT * FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :w), 'SELECT * FROM snapshot_t ORDER BY id',
                  'transactions are unchanged');
SELECT results_eq(format('SELECT * FROM wallets.allocations WHERE wallet_id = %s ORDER BY transaction_id, source_transaction_id', :w),
                  'SELECT * FROM snapshot_a ORDER BY transaction_id, source_transaction_id', 'allocations are unchanged');

-- Appending still works, and corrections are new entries.
SELECT lives_ok(format('SELECT wallets.credit(%s, 4, %L)', :w, 'correction'), 'a correcting credit is appended');
SELECT is(wallets.balance(:w), 10::bigint, 'balance 10 after the correction');
SELECT lives_ok(format('INSERT INTO wallets.allocations SELECT * FROM wallets.allocations WHERE false'), 'INSERT is not blocked by the triggers');

-- The caches are not append-only (they are derived), but only the owner may write them.
SELECT lives_ok(format('UPDATE wallets.bucket_state SET remaining = remaining WHERE wallet_id = %s', :w), 'the bucket_state cache is updatable by its owner');
SELECT throws_ok(format('SET LOCAL ROLE wallets_app; UPDATE wallets.bucket_state SET remaining = 0 WHERE wallet_id = %s', :w), '42501', NULL,
                 'wallets_app cannot write the caches');
SELECT throws_ok(format('SET LOCAL ROLE wallets_app; UPDATE wallets.wallets SET ledger_balance = 1000 WHERE id = %s', :w), '42501', NULL,
                 'wallets_app cannot write wallets');

-- The transfers and the reservations of holds are append-only too; a hold's status is not (it is
-- closed once), but only the owner may write it.
SELECT has_trigger('wallets', 'transfers', 'transfers_append_only', 'transfers has its append-only trigger');
SELECT has_trigger('wallets', 'hold_allocations', 'hold_allocations_append_only', 'hold_allocations has its append-only trigger');
SELECT trigger_is('wallets', 'transfers', 'transfers_append_only', 'wallets', '_reject_ledger_change', 'the transfers trigger calls _reject_ledger_change');
SELECT trigger_is('wallets', 'hold_allocations', 'hold_allocations_append_only', 'wallets', '_reject_ledger_change',
                  'the hold_allocations trigger calls _reject_ledger_change');
SELECT id AS w2 FROM wallets.open_wallet('ao-bob') \gset
SELECT id AS t FROM wallets.transfer(:w, :w2, 2) \gset
SELECT id AS h FROM wallets.hold(:w, 3) \gset
CREATE TEMP TABLE snapshot_tr ON COMMIT DROP AS SELECT * FROM wallets.transfers WHERE id = :t;
CREATE TEMP TABLE snapshot_ha ON COMMIT DROP AS SELECT * FROM wallets.hold_allocations WHERE hold_id = :h;
SELECT throws_ok(format('UPDATE wallets.transfers SET amount = 1000 WHERE id = %s', :t), 'WL010',
                 'UPDATE on wallets.transfers is not allowed: the ledger is append-only; post a correcting entry instead', 'superuser: UPDATE transfers is WL010');
SELECT throws_ok(format('DELETE FROM wallets.transfers WHERE id = %s', :t), 'WL010',
                 'DELETE on wallets.transfers is not allowed: the ledger is append-only; post a correcting entry instead', 'superuser: DELETE transfers is WL010');
SELECT throws_ok('TRUNCATE wallets.transfers', 'WL010',
                 'TRUNCATE on wallets.transfers is not allowed: the ledger is append-only; post a correcting entry instead', 'superuser: TRUNCATE transfers is WL010');
SELECT throws_ok(format('UPDATE wallets.hold_allocations SET amount = 1 WHERE hold_id = %s', :h), 'WL010',
                 'UPDATE on wallets.hold_allocations is not allowed: the ledger is append-only; post a correcting entry instead',
                 'superuser: UPDATE hold_allocations is WL010');
SELECT throws_ok(format('DELETE FROM wallets.hold_allocations WHERE hold_id = %s', :h), 'WL010',
                 'DELETE on wallets.hold_allocations is not allowed: the ledger is append-only; post a correcting entry instead',
                 'superuser: DELETE hold_allocations is WL010');
SELECT throws_ok('TRUNCATE wallets.hold_allocations', 'WL010',
                 'TRUNCATE on wallets.hold_allocations is not allowed: the ledger is append-only; post a correcting entry instead',
                 'superuser: TRUNCATE hold_allocations is WL010');
SELECT throws_ok(format('SET LOCAL ROLE wallets_owner; UPDATE wallets.transfers SET metadata = %L WHERE id = %s', '{"x": 1}', :t), 'WL010', NULL,
                 'wallets_owner: UPDATE transfers is WL010');
SELECT throws_ok('SET LOCAL ROLE wallets_owner; DELETE FROM wallets.hold_allocations WHERE false', 'WL010', NULL,
                 'wallets_owner: even a DELETE of hold_allocations matching no row is WL010');
SELECT throws_ok(format('SET LOCAL ROLE wallets_app; UPDATE wallets.transfers SET amount = 1 WHERE id = %s', :t), '42501', NULL,
                 'wallets_app: UPDATE transfers is permission denied');
SELECT throws_ok(format('SET LOCAL ROLE wallets_app; UPDATE wallets.holds SET status = %L WHERE id = %s', 'released', :h), '42501', NULL,
                 'wallets_app cannot write holds');
SELECT is(current_user::text, 'postgres', 'the role is back to the superuser');
SELECT results_eq(format('SELECT * FROM wallets.transfers WHERE id = %s', :t), 'SELECT * FROM snapshot_tr', 'the transfer is unchanged');
SELECT results_eq(format('SELECT * FROM wallets.hold_allocations WHERE hold_id = %s ORDER BY source_transaction_id', :h),
                  'SELECT * FROM snapshot_ha ORDER BY source_transaction_id', 'the reservations are unchanged');
SELECT lives_ok(format('SELECT wallets.release(%s)', :h), 'a hold still closes through release');
SELECT is_empty($$SELECT * FROM wallets.check() WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'ao-%')$$, 'the ledger is consistent');

SELECT * FROM finish();
ROLLBACK;
