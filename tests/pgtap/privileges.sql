-- Roles and privileges: nothing for PUBLIC; wallets_reader reads the views; wallets_app also
-- executes the public functions; nobody but the owner touches tables or internal functions.
BEGIN;
SELECT plan(67);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

CREATE TEMP TABLE public_functions (signature regprocedure PRIMARY KEY, writes boolean NOT NULL) ON COMMIT DROP;
INSERT INTO public_functions VALUES
    ('wallets.open_wallet(text, text, boolean, jsonb)', true),
    ('wallets.find_wallet(text, text)', false),
    ('wallets.owner_wallets(text)', false),
    ('wallets.credit(bigint, bigint, text, timestamptz, jsonb, text, integer)', true),
    ('wallets.debit(bigint, bigint, text, jsonb, text)', true),
    ('wallets.credit_many(bigint[], bigint[], text[], timestamptz[], jsonb[], text[], integer[], boolean)', true),
    ('wallets.debit_many(bigint[], bigint[], text[], jsonb[], text[], boolean)', true),
    ('wallets.balance(bigint)', false),
    ('wallets.expire_due(integer)', true),
    ('wallets.history(bigint, bigint, integer)', false),
    ('wallets.check(bigint)', false),
    ('wallets.transfer(bigint, bigint, bigint, text, text, timestamptz, jsonb, text)', true),
    ('wallets.hold(bigint, bigint, timestamptz, jsonb, text)', true),
    ('wallets.capture(bigint, bigint, text, jsonb)', true),
    ('wallets.release(bigint)', true),
    ('wallets.void_credit(bigint, text)', true),
    ('wallets.set_expiry(bigint, timestamptz)', true),
    ('wallets.reverse_debit(bigint, bigint, text)', true);
CREATE TEMP VIEW wallet_functions AS
SELECT p.oid::regprocedure AS signature, p.proname, p.prosecdef, p.proconfig, p.proowner,
       coalesce(p.proacl, acldefault('f', p.proowner)) AS acl
FROM pg_proc p WHERE p.pronamespace = 'wallets'::regnamespace;

-- Roles.
SELECT has_role('wallets_owner', 'wallets_owner exists');
SELECT has_role('wallets_reader', 'wallets_reader exists');
SELECT has_role('wallets_app', 'wallets_app exists');
SELECT ok(NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'wallets_owner'), 'wallets_owner cannot log in');
SELECT ok(NOT (SELECT rolsuper FROM pg_roles WHERE rolname = 'wallets_owner'), 'wallets_owner is not a superuser');
SELECT is_member_of('wallets_reader', 'wallets_app', 'wallets_app is a member of wallets_reader');
SELECT ok(NOT pg_has_role('wallets_reader', 'wallets_app', 'MEMBER'), 'wallets_reader is not a member of wallets_app');
SELECT ok(NOT pg_has_role('wallets_app', 'wallets_owner', 'MEMBER'), 'wallets_app is not a member of wallets_owner');

-- Ownership.
SELECT schema_owner_is('wallets', 'wallets_owner', 'wallets_owner owns the schema');
SELECT is_empty($$SELECT c.oid::regclass FROM pg_class c WHERE c.relnamespace = 'wallets'::regnamespace AND c.relowner <> 'wallets_owner'::regrole$$,
                'wallets_owner owns every table, view, index and sequence');
SELECT is_empty($$SELECT signature FROM wallet_functions WHERE proowner <> 'wallets_owner'::regrole$$, 'wallets_owner owns every function');

-- The public functions: complete list, SECURITY DEFINER, pinned search_path, commented.
SELECT set_eq($$SELECT signature FROM wallet_functions WHERE proname NOT LIKE '\_%' AND proname <> 'now'$$,
              'SELECT signature FROM public_functions', 'the public functions are exactly the expected ones');
SELECT is_empty($$SELECT f.signature FROM public_functions f JOIN wallet_functions w USING (signature) WHERE f.writes AND NOT w.prosecdef$$,
                'every public writing function is SECURITY DEFINER');
SELECT is_empty($$SELECT signature FROM public_functions JOIN wallet_functions USING (signature) WHERE NOT prosecdef$$,
                'every public function, reads included, is SECURITY DEFINER');
SELECT is_empty($$SELECT signature FROM public_functions JOIN wallet_functions USING (signature)
                  WHERE proconfig[1] IS DISTINCT FROM 'search_path=pg_catalog, pg_temp'$$,
                'every public function sets search_path = pg_catalog, pg_temp');
SELECT is_empty($$SELECT signature FROM wallet_functions WHERE prosecdef AND proconfig[1] IS DISTINCT FROM 'search_path=pg_catalog, pg_temp'$$,
                'no SECURITY DEFINER function runs with the caller''s search_path');
SELECT set_eq($$SELECT signature::text, setting FROM wallet_functions, unnest(proconfig[2:]) AS setting$$,
              $$VALUES ('wallets.debit_many(bigint[],bigint[],text[],jsonb[],text[],boolean)', 'plan_cache_mode=force_generic_plan')$$,
              'no function sets anything else, but debit_many, which plans its statements once per session');
SELECT is_empty($$SELECT signature FROM public_functions WHERE obj_description(signature, 'pg_proc') IS NULL$$, 'every public function has a comment');
SELECT isnt(obj_description('wallets.now()'::regprocedure, 'pg_proc'), NULL, 'wallets.now() has a comment');
SELECT is_empty($$SELECT signature FROM wallet_functions WHERE proname LIKE '\_%' AND prosecdef AND proname <> '_reject_ledger_change'$$,
                'internal functions are not SECURITY DEFINER (but the append-only trigger, so every role gets WL010)');

-- EXECUTE: never PUBLIC.
SELECT is_empty($$SELECT signature FROM wallet_functions, aclexplode(acl) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'$$,
                'PUBLIC may execute no wallets function');
SELECT is_empty($$SELECT signature FROM wallet_functions WHERE proname LIKE '\_%' AND has_function_privilege('wallets_app', signature, 'EXECUTE')$$,
                'wallets_app may execute no internal _ function');
SELECT is_empty($$SELECT signature FROM wallet_functions WHERE proname LIKE '\_%' AND has_function_privilege('wallets_reader', signature, 'EXECUTE')$$,
                'wallets_reader may execute no internal _ function');
SELECT is_empty($$SELECT signature FROM public_functions WHERE NOT has_function_privilege('wallets_app', signature, 'EXECUTE')$$,
                'wallets_app may execute every public function');
SELECT is_empty($$SELECT signature FROM public_functions WHERE has_function_privilege('wallets_reader', signature, 'EXECUTE')$$,
                'wallets_reader may execute no public function');
SELECT ok(has_function_privilege('wallets_reader', 'wallets.now()', 'EXECUTE'), 'wallets_reader may execute wallets.now()');
SELECT ok(has_function_privilege('wallets_app', 'wallets.now()', 'EXECUTE'), 'wallets_app may execute wallets.now() (through wallets_reader)');
SELECT function_privs_are('wallets', 'credit', ARRAY['bigint', 'bigint', 'text', 'timestamp with time zone', 'jsonb', 'text', 'integer'],
                          'wallets_app', ARRAY['EXECUTE'], 'function_privs_are: wallets_app executes credit');
SELECT function_privs_are('wallets', '_fail', ARRAY['text', 'text', 'jsonb'], 'wallets_app', ARRAY[]::text[], 'function_privs_are: wallets_app cannot execute _fail');

-- Schema.
SELECT schema_privs_are('wallets', 'wallets_reader', ARRAY['USAGE'], 'wallets_reader has USAGE on the schema');
SELECT schema_privs_are('wallets', 'wallets_app', ARRAY['USAGE'], 'wallets_app has USAGE only on the schema');
SELECT schema_privs_are('wallets', 'public', ARRAY[]::text[], 'PUBLIC has nothing on the schema');

-- Tables: no privilege for the app and reader roles, SELECT included.
SELECT is_empty($$SELECT c.relname, r.role, p.privilege
                  FROM pg_class c, unnest(ARRAY['wallets_app', 'wallets_reader', 'public']) r(role),
                       unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p(privilege)
                  WHERE c.relnamespace = 'wallets'::regnamespace AND c.relkind IN ('r', 'p')
                    AND CASE WHEN r.role = 'public' THEN EXISTS (SELECT FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
                                                                 WHERE a.grantee = 0 AND a.privilege_type = p.privilege)
                             ELSE has_table_privilege(r.role, c.oid, p.privilege) END$$,
                'wallets_app, wallets_reader and PUBLIC have no privilege on any table');
SELECT table_privs_are('wallets', 'transactions', 'wallets_app', ARRAY[]::text[], 'table_privs_are: wallets_app has nothing on transactions');
SELECT table_privs_are('wallets', 'wallets', 'wallets_app', ARRAY[]::text[], 'table_privs_are: wallets_app has nothing on wallets');
SELECT is_empty($$SELECT c.oid::regclass FROM pg_class c WHERE c.relnamespace = 'wallets'::regnamespace AND c.relkind = 'S'
                  AND (has_sequence_privilege('wallets_app', c.oid, 'USAGE') OR has_sequence_privilege('wallets_app', c.oid, 'SELECT')
                       OR has_sequence_privilege('wallets_app', c.oid, 'UPDATE'))$$,
                'wallets_app has no privilege on any sequence');

-- Views: SELECT only.
SELECT table_privs_are('wallets', 'buckets', 'wallets_reader', ARRAY['SELECT'], 'wallets_reader may only SELECT buckets');
SELECT table_privs_are('wallets', 'error_codes', 'wallets_reader', ARRAY['SELECT'], 'wallets_reader may only SELECT error_codes');
SELECT table_privs_are('wallets', 'buckets', 'wallets_app', ARRAY['SELECT'], 'wallets_app may only SELECT buckets');
SELECT table_privs_are('wallets', 'error_codes', 'wallets_app', ARRAY['SELECT'], 'wallets_app may only SELECT error_codes');
SELECT table_privs_are('wallets', 'balances', 'wallets_reader', ARRAY['SELECT'], 'wallets_reader may only SELECT balances');
SELECT table_privs_are('wallets', 'balances', 'wallets_app', ARRAY['SELECT'], 'wallets_app may only SELECT balances');
SELECT is_empty($$SELECT c.oid::regclass FROM pg_class c WHERE c.relnamespace = 'wallets'::regnamespace AND c.relkind = 'v'
                  AND NOT has_table_privilege('wallets_reader', c.oid, 'SELECT')$$, 'wallets_reader may SELECT every view');
SELECT is_empty($$SELECT c.oid::regclass FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
                  WHERE c.relnamespace = 'wallets'::regnamespace AND a.grantee = 0$$, 'PUBLIC has no privilege on any relation');

-- In practice, as wallets_app.
SELECT id AS w FROM wallets.open_wallet('priv-alice') \gset
SELECT id AS c FROM wallets.credit(:w, 10) \gset
SELECT id AS w2 FROM wallets.open_wallet('priv-bob') \gset
SELECT lives_ok(format($$SET LOCAL ROLE wallets_app;
                         SELECT wallets.open_wallet('priv-app'); SELECT wallets.find_wallet('priv-app'); SELECT wallets.owner_wallets('priv-app');
                         SELECT wallets.credit(%1$s, 5); SELECT wallets.debit(%1$s, 3); SELECT wallets.balance(%1$s); SELECT wallets.expire_due();
                         SELECT wallets.history(%1$s); SELECT wallets.check(%1$s); SELECT wallets.now();
                         SELECT wallets.transfer(%1$s, %2$s, 2);
                         SELECT wallets.capture((wallets.hold(%1$s, 2)).id, 1); SELECT wallets.release((wallets.hold(%1$s, 1)).id);
                         SELECT wallets.reverse_debit((SELECT (wallets.debit(%1$s, 1)).id));
                         SELECT wallets.set_expiry((wallets.credit(%1$s, 4)).id, NULL); SELECT wallets.void_credit((wallets.credit(%1$s, 3)).id);
                         SELECT * FROM wallets.buckets; SELECT * FROM wallets.error_codes; SELECT * FROM wallets.balances;
                         RESET ROLE$$, :w, :w2),
                'wallets_app can call every public function and read the three views');
SELECT is(wallets.balance(:w), 13::bigint, 'its calls went through: 10 + 5 - 3 - 2 (transfer) - 1 (capture) + 4 (credit moved) + 3 - 3 (voided) = 13');
SELECT is(wallets.balance(:w2), 2::bigint, 'the transfer reached the other wallet');
SELECT throws_ok('SET LOCAL ROLE wallets_app; SELECT * FROM wallets.wallets', '42501', NULL, 'wallets_app cannot SELECT wallets');
SELECT throws_ok('SET LOCAL ROLE wallets_app; SELECT * FROM wallets.transactions', '42501', NULL, 'wallets_app cannot SELECT transactions');
SELECT throws_ok('SET LOCAL ROLE wallets_app; SELECT * FROM wallets.bucket_state', '42501', NULL, 'wallets_app cannot SELECT bucket_state');
SELECT throws_ok(format($$SET LOCAL ROLE wallets_app; INSERT INTO wallets.transactions (wallet_id, amount, category, balance_before, balance_after, created_at)
                         VALUES (%s, 1000, 'gift', 10, 1010, now())$$, :w), '42501', NULL, 'wallets_app cannot INSERT into transactions');
SELECT throws_ok(format('SET LOCAL ROLE wallets_app; UPDATE wallets.wallets SET ledger_balance = 1000 WHERE id = %s', :w), '42501', NULL,
                 'wallets_app cannot UPDATE wallets');
SELECT throws_ok(format('SET LOCAL ROLE wallets_app; DELETE FROM wallets.debt_state WHERE wallet_id = %s', :w), '42501', NULL,
                 'wallets_app cannot DELETE from debt_state');
SELECT throws_ok($$SET LOCAL ROLE wallets_app; SELECT wallets._fail('WL001', 'x')$$, '42501', 'permission denied for function _fail',
                 'wallets_app cannot execute _fail');
SELECT throws_ok(format('SET LOCAL ROLE wallets_app; SELECT wallets._expire_wallet(%s, now())', :w), '42501',
                 'permission denied for function _expire_wallet', 'wallets_app cannot execute _expire_wallet');
SELECT throws_ok(format('SET LOCAL ROLE wallets_app; SELECT wallets._draw_down(NULL::wallets.wallets, %s, 1)', :c), '42501',
                 'permission denied for function _draw_down', 'wallets_app cannot execute _draw_down');

-- As wallets_reader.
SELECT lives_ok($$SET LOCAL ROLE wallets_reader; SELECT * FROM wallets.buckets; SELECT * FROM wallets.error_codes; SELECT * FROM wallets.balances;
                  SELECT wallets.now(); RESET ROLE$$,
                'wallets_reader can read the three views and the clock');
SELECT throws_ok(format('SET LOCAL ROLE wallets_reader; SELECT wallets.credit(%s, 5)', :w), '42501', 'permission denied for function credit',
                 'wallets_reader cannot credit');
SELECT throws_ok(format('SET LOCAL ROLE wallets_reader; SELECT wallets.balance(%s)', :w), '42501', 'permission denied for function balance',
                 'wallets_reader cannot call balance');
SELECT throws_ok('SET LOCAL ROLE wallets_reader; SELECT * FROM wallets.wallets', '42501', NULL, 'wallets_reader cannot SELECT wallets');
SELECT throws_ok(format('SET LOCAL ROLE wallets_reader; SELECT wallets.hold(%s, 1)', :w), '42501', 'permission denied for function hold',
                 'wallets_reader cannot hold');
SELECT throws_ok(format('SET LOCAL ROLE wallets_reader; SELECT wallets.transfer(%s, %s, 1)', :w, :w2), '42501', 'permission denied for function transfer',
                 'wallets_reader cannot transfer');
SELECT throws_ok(format('SET LOCAL ROLE wallets_reader; SELECT wallets._lock_wallet(%s)', :w), '42501',
                 'permission denied for function _lock_wallet', 'wallets_reader cannot execute _lock_wallet');

-- A role with no grant but USAGE on the schema: what PUBLIC alone allows.
CREATE ROLE pgwallets_test_nobody NOLOGIN;
GRANT USAGE ON SCHEMA wallets TO pgwallets_test_nobody;
SELECT throws_ok('SET LOCAL ROLE pgwallets_test_nobody; SELECT wallets.now()', '42501', 'permission denied for function now',
                 'PUBLIC cannot read the clock');
SELECT throws_ok('SET LOCAL ROLE pgwallets_test_nobody; SELECT wallets._raise(NULL)', '42501',
                 'permission denied for function _raise', 'PUBLIC cannot execute internal functions');
SELECT throws_ok('SET LOCAL ROLE pgwallets_test_nobody; SELECT * FROM wallets.error_codes', '42501', 'permission denied for view error_codes',
                 'PUBLIC cannot read the views');
SELECT throws_ok('SET LOCAL ROLE pgwallets_test_nobody; SELECT * FROM wallets.balances', '42501', 'permission denied for view balances',
                 'PUBLIC cannot read balances');

SELECT * FROM finish();
ROLLBACK;
