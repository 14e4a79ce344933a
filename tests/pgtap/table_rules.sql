-- Rules the tables enforce themselves, whatever writes them: the trigger wallets_identity on
-- wallets.wallets (owner, asset, metadata), the triggers wallets_rules (wallets._check_wallet_rules),
-- bucket_state_rules (wallets._check_bucket_rules, which also holds open to remaining > 0),
-- holds_rules (wallets._check_hold_rules), transactions_entry_rules (wallets._check_entry_rules)
-- and transfers_rules (wallets._check_transfer_rules), which raise what a CHECK raises, and the
-- orphans wallets.check() reports now that holds and transfers have no foreign keys into
-- wallets. Rows are written directly as the table owner, inside this transaction.
BEGIN;
SELECT plan(62);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

-- 1. wallets.wallets: owner, asset and metadata, checked by a trigger instead of CHECKs.
SELECT has_trigger('wallets', 'wallets', 'wallets_identity', 'wallets has the trigger wallets_identity');
SELECT trigger_is('wallets', 'wallets', 'wallets_identity', 'wallets', '_check_wallet_identity',
                  'wallets_identity calls _check_wallet_identity');
SELECT is((SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'wallets.wallets'::regclass AND tgname = 'wallets_identity'),
          'CREATE TRIGGER wallets_identity AFTER INSERT OR UPDATE OF owner, asset, metadata ON wallets.wallets FOR EACH ROW EXECUTE FUNCTION wallets._check_wallet_identity()',
          'wallets_identity fires after INSERT or UPDATE OF owner, asset, metadata only, not on balance updates');

SELECT throws_ok($$SET LOCAL ROLE wallets_owner;
                   INSERT INTO wallets.wallets (owner, asset, created_at) VALUES ('', 'credits', '2030-01-01Z')$$,
                 '23514', 'new row for relation "wallets" violates check constraint "wallets_owner_check"',
                 'a direct INSERT of a wallet with an empty owner violates wallets_owner_check');
SELECT throws_ok($$SET LOCAL ROLE wallets_owner;
                   INSERT INTO wallets.wallets (owner, asset, created_at) VALUES ('rules-bad-asset', 'Bad Asset', '2030-01-01Z')$$,
                 '23514', 'new row for relation "wallets" violates check constraint "wallets_asset_check"',
                 'a direct INSERT of a wallet with asset ''Bad Asset'' violates wallets_asset_check');
SELECT throws_ok($$SET LOCAL ROLE wallets_owner;
                   INSERT INTO wallets.wallets (owner, asset, metadata, created_at) VALUES ('rules-bad-metadata', 'credits', '[]', '2030-01-01Z')$$,
                 '23514', 'new row for relation "wallets" violates check constraint "wallets_metadata_check"',
                 'a direct INSERT of a wallet with metadata ''[]'' violates wallets_metadata_check');
SELECT lives_ok($$SET LOCAL ROLE wallets_owner;
                  INSERT INTO wallets.wallets (owner, asset, metadata, created_at) VALUES ('rules-direct', 'gems_2', '{"via": "insert"}', '2030-01-01Z');
                  RESET ROLE$$,
                'a direct INSERT of a valid wallet passes the trigger');
SELECT is(current_user::text, 'postgres', 'the role is back to the superuser');

SELECT id AS w FROM wallets.open_wallet('rules-alice') \gset
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner; UPDATE wallets.wallets SET asset = 'Bad Asset' WHERE id = %s$$, :w),
                 '23514', 'new row for relation "wallets" violates check constraint "wallets_asset_check"',
                 'an UPDATE setting a bad asset on an existing wallet violates wallets_asset_check');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner; UPDATE wallets.wallets SET metadata = '"text"' WHERE id = %s$$, :w),
                 '23514', 'new row for relation "wallets" violates check constraint "wallets_metadata_check"',
                 'an UPDATE setting non-object metadata on an existing wallet violates wallets_metadata_check');
SELECT lives_ok(format('SELECT wallets.credit(%s, 5)', :w), 'a ledger write (credit) on the wallet still works');
SELECT is(wallets.balance(:w), 5::bigint, 'the credit updated the wallet''s balance');

-- A row that breaks the rule but predates it (written with triggers off) still takes ledger
-- writes: the trigger does not fire when only the caches of a wallet change.
SET LOCAL session_replication_role = replica;
INSERT INTO wallets.wallets (owner, asset, created_at) VALUES ('rules-legacy', 'Legacy Asset', '2030-01-01Z') RETURNING id AS legacy \gset
RESET session_replication_role;
SELECT lives_ok(format('SELECT wallets.credit(%s, 7)', :legacy),
                'a credit to a wallet whose stored asset breaks the rule works: balance updates do not fire the trigger');
SELECT is((SELECT ledger_balance FROM wallets.wallets WHERE id = :legacy), 7::bigint, 'and it updated that wallet''s ledger_balance');

-- 2. wallets.transactions: the trigger transactions_entry_rules (wallets._check_entry_rules), on
-- insert only (the table is append-only), raising what a CHECK of that name would.
SELECT trigger_is('wallets', 'transactions', 'transactions_entry_rules', 'wallets', '_check_entry_rules',
                  'transactions_entry_rules calls _check_entry_rules');
SELECT is((SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'wallets.transactions'::regclass AND contype = 'c'), 0,
          'wallets.transactions has no CHECK constraint left: its rules are the trigger''s');
SELECT id AS e FROM wallets.open_wallet('rules-entries') \gset
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          INSERT INTO wallets.transactions (wallet_id, amount, category, priority, balance_before, balance_after, created_at)
                          VALUES (%s, 0, 'credit', NULL, 0, 0, '2030-01-01Z')$$, :e),
                 '23514', 'new row for relation "transactions" violates check constraint "transactions_entry_rules"',
                 'an entry with amount 0 violates transactions_entry_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          INSERT INTO wallets.transactions (wallet_id, amount, category, priority, balance_before, balance_after, created_at)
                          VALUES (%s, 10, 'credit', 50, 0, 11, '2030-01-01Z')$$, :e),
                 '23514', 'new row for relation "transactions" violates check constraint "transactions_entry_rules"',
                 'an entry whose balance_after is not balance_before + amount violates transactions_entry_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          INSERT INTO wallets.transactions (wallet_id, amount, category, priority, balance_before, balance_after, created_at)
                          VALUES (%s, 10, 'credit', NULL, 0, 10, '2030-01-01Z')$$, :e),
                 '23514', 'new row for relation "transactions" violates check constraint "transactions_entry_rules"',
                 'a credit without a priority violates transactions_entry_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          INSERT INTO wallets.transactions (wallet_id, amount, category, priority, balance_before, balance_after, created_at)
                          VALUES (%s, -5, 'debit', 50, 10, 5, '2030-01-01Z')$$, :e),
                 '23514', 'new row for relation "transactions" violates check constraint "transactions_entry_rules"',
                 'a debit with a priority violates transactions_entry_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          INSERT INTO wallets.transactions (wallet_id, amount, category, priority, balance_before, balance_after, created_at)
                          VALUES (%s, 10, 'credit', 101, 0, 10, '2030-01-01Z')$$, :e),
                 '23514', 'new row for relation "transactions" violates check constraint "transactions_entry_rules"',
                 'a credit with priority 101 violates transactions_entry_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          INSERT INTO wallets.transactions (wallet_id, amount, category, expires_at, priority, balance_before, balance_after, created_at)
                          VALUES (%s, -5, 'debit', '2030-02-01Z', NULL, 10, 5, '2030-01-01Z')$$, :e),
                 '23514', 'new row for relation "transactions" violates check constraint "transactions_entry_rules"',
                 'a debit with expires_at violates transactions_entry_rules');
SELECT lives_ok(format($$SET LOCAL ROLE wallets_owner;
                         INSERT INTO wallets.transactions (wallet_id, amount, category, expires_at, priority, balance_before, balance_after,
                                                           metadata, idempotency_key, created_at)
                         VALUES (%s, 10, 'credit', '2030-02-01Z', 100, 0, 10, '{}', 'rules-ok', '2030-01-01Z');
                         RESET ROLE$$, :e),
                'a sound entry (an expiring credit with priority 100 and a correct balance chain) is appended');
SELECT is(current_user::text, 'postgres', 'the role is back to the superuser after the sound entry');

-- 3. wallets.wallets: the trigger wallets_rules (wallets._check_wallet_rules) on the caches,
-- after every insert or update, raising what a CHECK of that name would.
SELECT id AS r FROM wallets.open_wallet('rules-caches') \gset
SELECT id AS rn FROM wallets.open_wallet('rules-caches-negative', allow_negative => true) \gset
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner; UPDATE wallets.wallets SET ledger_balance = -1 WHERE id = %s$$, :r),
                 '23514', 'new row for relation "wallets" violates check constraint "wallets_rules"',
                 'a negative ledger_balance on a wallet without allow_negative violates wallets_rules');
SELECT lives_ok(format($$SET LOCAL ROLE wallets_owner; UPDATE wallets.wallets SET ledger_balance = -1 WHERE id = %s; RESET ROLE$$, :rn),
                'a negative ledger_balance on an allow_negative wallet passes wallets_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner; UPDATE wallets.wallets SET debt = -1 WHERE id = %s$$, :rn),
                 '23514', 'new row for relation "wallets" violates check constraint "wallets_rules"',
                 'a negative debt violates wallets_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner; UPDATE wallets.wallets SET held = -1 WHERE id = %s$$, :r),
                 '23514', 'new row for relation "wallets" violates check constraint "wallets_rules"',
                 'a negative held violates wallets_rules');
SELECT is((SELECT ledger_balance FROM wallets.wallets WHERE id = :r), 0::bigint,
          'the refused update left the wallet''s ledger_balance as it was: the trigger''s error undid the statement');
SELECT trigger_is('wallets', 'wallets', 'wallets_rules', 'wallets', '_check_wallet_rules', 'wallets_rules calls _check_wallet_rules');
SELECT is((SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'wallets.wallets'::regclass AND tgname = 'wallets_rules'),
          'CREATE TRIGGER wallets_rules AFTER INSERT OR UPDATE ON wallets.wallets FOR EACH ROW EXECUTE FUNCTION wallets._check_wallet_rules()',
          'wallets_rules fires after every INSERT or UPDATE of a wallet');
SELECT is((SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'wallets.wallets'::regclass AND contype = 'c'), 0,
          'wallets.wallets has no CHECK constraint left: its rules are the triggers''');
SELECT throws_ok($$SET LOCAL ROLE wallets_owner;
                   INSERT INTO wallets.wallets (owner, asset, created_at, held) VALUES ('rules-held', 'credits', '2030-01-01Z', -1)$$,
                 '23514', 'new row for relation "wallets" violates check constraint "wallets_rules"',
                 'a wallet inserted with a negative held violates wallets_rules');

-- 4. wallets.bucket_state: the trigger bucket_state_rules (wallets._check_bucket_rules), after
-- every insert or update.
SELECT id AS rc FROM wallets.credit(:r, 5) \gset
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner; UPDATE wallets.bucket_state SET remaining = -1 WHERE wallet_id = %s AND transaction_id = %s$$, :r, :rc),
                 '23514', 'new row for relation "bucket_state" violates check constraint "bucket_state_rules"',
                 'a negative remaining violates bucket_state_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner; UPDATE wallets.bucket_state SET held = -1 WHERE wallet_id = %s AND transaction_id = %s$$, :r, :rc),
                 '23514', 'new row for relation "bucket_state" violates check constraint "bucket_state_rules"',
                 'a negative held violates bucket_state_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          INSERT INTO wallets.bucket_state (wallet_id, transaction_id, priority, remaining, open) VALUES (%s, -1, 50, -3, false)$$, :r),
                 '23514', 'new row for relation "bucket_state" violates check constraint "bucket_state_rules"',
                 'a bucket inserted with a negative remaining violates bucket_state_rules');
SELECT lives_ok(format($$SET LOCAL ROLE wallets_owner; UPDATE wallets.bucket_state SET remaining = 0, open = false, held = 5 WHERE wallet_id = %s AND transaction_id = %s; RESET ROLE$$, :r, :rc),
                'a bucket with nothing free and all of it held passes bucket_state_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner; UPDATE wallets.bucket_state SET open = true WHERE wallet_id = %s AND transaction_id = %s$$, :r, :rc),
                 '23514', 'new row for relation "bucket_state" violates check constraint "bucket_state_rules"',
                 'an open bucket with nothing remaining violates bucket_state_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner; UPDATE wallets.bucket_state SET remaining = 2 WHERE wallet_id = %s AND transaction_id = %s$$, :r, :rc),
                 '23514', 'new row for relation "bucket_state" violates check constraint "bucket_state_rules"',
                 'a closed bucket with something remaining violates bucket_state_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          INSERT INTO wallets.bucket_state (wallet_id, transaction_id, priority, remaining, open) VALUES (%s, -2, 50, 3, false)$$, :r),
                 '23514', 'new row for relation "bucket_state" violates check constraint "bucket_state_rules"',
                 'a bucket inserted closed with something remaining violates bucket_state_rules');
SELECT is((SELECT attgenerated FROM pg_attribute WHERE attrelid = 'wallets.bucket_state'::regclass AND attname = 'open'), '',
          'open is a plain column (a generated one costs every write a parse of its expression)');
SELECT trigger_is('wallets', 'bucket_state', 'bucket_state_rules', 'wallets', '_check_bucket_rules',
                  'bucket_state_rules calls _check_bucket_rules');
SELECT is((SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'wallets.bucket_state'::regclass AND tgname = 'bucket_state_rules'),
          'CREATE TRIGGER bucket_state_rules AFTER INSERT OR UPDATE ON wallets.bucket_state FOR EACH ROW EXECUTE FUNCTION wallets._check_bucket_rules()',
          'bucket_state_rules fires after every INSERT or UPDATE of a bucket');
SELECT is((SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'wallets.bucket_state'::regclass AND contype = 'c'), 0,
          'wallets.bucket_state has no CHECK constraint left: its rules are the trigger''s');

-- 5. wallets.holds: the trigger holds_rules (wallets._check_hold_rules), after every insert or
-- update.
SELECT id AS hw FROM wallets.open_wallet('rules-holds') \gset
SELECT lives_ok(format($$SELECT wallets.credit(%s, 10)$$, :hw), 'a credit to hold from');
SELECT id AS hh FROM wallets.hold(:hw, 4) \gset
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          INSERT INTO wallets.holds (wallet_id, amount, expires_at, created_at) VALUES (%s, 0, '2030-01-02Z', '2030-01-01Z')$$, :hw),
                 '23514', 'new row for relation "holds" violates check constraint "holds_rules"',
                 'a hold inserted with amount 0 violates holds_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner; UPDATE wallets.holds SET status = 'pending' WHERE id = %s$$, :hh),
                 '23514', 'new row for relation "holds" violates check constraint "holds_rules"',
                 'a hold with an unknown status violates holds_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          UPDATE wallets.holds SET status = 'captured', captured_amount = 5, closed_at = '2030-01-01Z' WHERE id = %s$$, :hh),
                 '23514', 'new row for relation "holds" violates check constraint "holds_rules"',
                 'a capture of more than the hold violates holds_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          UPDATE wallets.holds SET status = 'released', captured_amount = 2, closed_at = '2030-01-01Z' WHERE id = %s$$, :hh),
                 '23514', 'new row for relation "holds" violates check constraint "holds_rules"',
                 'a released hold that took something violates holds_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner; UPDATE wallets.holds SET status = 'expired' WHERE id = %s$$, :hh),
                 '23514', 'new row for relation "holds" violates check constraint "holds_rules"',
                 'an ended hold without closed_at violates holds_rules');
SELECT lives_ok(format($$SELECT wallets.capture(%s, 3)$$, :hh), 'a capture of part of the hold passes holds_rules');
SELECT trigger_is('wallets', 'holds', 'holds_rules', 'wallets', '_check_hold_rules', 'holds_rules calls _check_hold_rules');
SELECT is((SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'wallets.holds'::regclass AND contype = 'c'), 0,
          'wallets.holds has no CHECK constraint left: its rules are the trigger''s');

-- 6. wallets.transfers: the trigger transfers_rules (wallets._check_transfer_rules), on insert only.
SELECT trigger_is('wallets', 'transfers', 'transfers_rules', 'wallets', '_check_transfer_rules',
                  'transfers_rules calls _check_transfer_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          INSERT INTO wallets.transfers (from_wallet_id, to_wallet_id, asset, amount, category, expiration_policy, created_at)
                          VALUES (%s, %s, 'credits', 3, 'transfer', 'none', '2030-01-01Z')$$, :r, :r),
                 '23514', 'new row for relation "transfers" violates check constraint "transfers_rules"',
                 'a transfer from a wallet to itself violates transfers_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          INSERT INTO wallets.transfers (from_wallet_id, to_wallet_id, asset, amount, category, expiration_policy, created_at)
                          VALUES (%s, %s, 'credits', 0, 'transfer', 'none', '2030-01-01Z')$$, :r, :e),
                 '23514', 'new row for relation "transfers" violates check constraint "transfers_rules"',
                 'a transfer of 0 violates transfers_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          INSERT INTO wallets.transfers (from_wallet_id, to_wallet_id, asset, amount, category, expiration_policy, created_at)
                          VALUES (%s, %s, 'credits', 3, 'transfer', 'sometime', '2030-01-01Z')$$, :r, :e),
                 '23514', 'new row for relation "transfers" violates check constraint "transfers_rules"',
                 'a transfer with an unknown expiration policy violates transfers_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          INSERT INTO wallets.transfers (from_wallet_id, to_wallet_id, asset, amount, category, expiration_policy, created_at)
                          VALUES (%s, %s, 'credits', 3, 'transfer', 'fixed', '2030-01-01Z')$$, :r, :e),
                 '23514', 'new row for relation "transfers" violates check constraint "transfers_rules"',
                 'a fixed-policy transfer without expires_at violates transfers_rules');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_owner;
                          INSERT INTO wallets.transfers (from_wallet_id, to_wallet_id, asset, amount, category, expiration_policy, expires_at, created_at)
                          VALUES (%s, %s, 'credits', 3, 'transfer', 'preserve', '2030-02-01Z', '2030-01-01Z')$$, :r, :e),
                 '23514', 'new row for relation "transfers" violates check constraint "transfers_rules"',
                 'a preserve-policy transfer with expires_at violates transfers_rules');
SELECT is((SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'wallets.transfers'::regclass AND contype = 'c'), 0,
          'wallets.transfers has no CHECK constraint left: its rules are the trigger''s');

-- 7. wallets.check() reports holds and transfers whose wallet does not exist.
SET LOCAL ROLE wallets_owner;
INSERT INTO wallets.holds (wallet_id, amount, expires_at, created_at)
VALUES (-42, 5, '2030-01-02Z', '2030-01-01Z') RETURNING id AS h \gset
INSERT INTO wallets.transfers (from_wallet_id, to_wallet_id, asset, amount, category, expiration_policy, created_at)
VALUES (:w, -43, 'credits', 3, 'transfer', 'preserve', '2030-01-01Z') RETURNING id AS t \gset
RESET ROLE;
SELECT results_eq($$SELECT wallet_id, problem FROM wallets.check() WHERE problem LIKE 'hold %does not exist'$$,
                  format($$VALUES (-42::bigint, 'hold %s: wallet -42 does not exist')$$, :h),
                  'check() reports a hold whose wallet does not exist');
SELECT results_eq($$SELECT wallet_id, problem FROM wallets.check() WHERE problem LIKE 'transfer %: wallet % does not exist'$$,
                  format($$VALUES (%s::bigint, 'transfer %s: wallet -43 does not exist')$$, :w, :t),
                  'check() reports a transfer whose receiving wallet does not exist, once, under its sender');

SELECT * FROM finish();
ROLLBACK;
