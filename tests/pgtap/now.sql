-- wallets.now(): the ledger clock. The setting wallets.clock when set and non-empty, else now().
BEGIN;
SELECT plan(13);
SET LOCAL TimeZone = 'UTC';

SELECT has_function('wallets', 'now', ARRAY[]::name[], 'wallets.now() exists');
SELECT function_returns('wallets', 'now', ARRAY[]::name[], 'timestamp with time zone', 'wallets.now() returns timestamptz');
SELECT volatility_is('wallets', 'now', ARRAY[]::name[], 'stable', 'wallets.now() is STABLE');

-- Never set in this session: the transaction time.
SELECT is(current_setting('wallets.clock', true), NULL, 'wallets.clock is not set at the start');
SELECT is(wallets.now(), now(), 'without wallets.clock it is now()');

-- Set but empty: still now().
SET LOCAL wallets.clock = '';
SELECT is(wallets.now(), now(), 'an empty wallets.clock means now()');

-- Pinned.
SET LOCAL wallets.clock = '2030-01-01Z';
SELECT is(wallets.now(), '2030-01-01 00:00:00+00'::timestamptz, 'SET LOCAL wallets.clock = ''2030-01-01Z'' pins time');
SELECT is(wallets.now(), wallets.now(), 'the pinned clock does not move');

-- Offsets and microseconds are kept.
SET LOCAL wallets.clock = '2031-06-15 12:34:56.789012+02';
SELECT is(wallets.now(), '2031-06-15 10:34:56.789012+00'::timestamptz, 'offsets and microseconds are honoured');

-- Back to real time once cleared.
SET LOCAL wallets.clock = '';
SELECT is(wallets.now(), now(), 'clearing wallets.clock returns to now()');

SET LOCAL wallets.clock = 'not a time';
SELECT throws_ok('SELECT wallets.now()', '22007', NULL, 'a malformed wallets.clock is an error, not a silent fallback');
SET LOCAL wallets.clock = '2030-01-01Z';

-- wallets_reader (hence wallets_app) may read the clock.
SELECT lives_ok($$SET LOCAL ROLE wallets_reader; SELECT wallets.now(); RESET ROLE$$, 'wallets_reader can execute wallets.now()');
SELECT isnt(obj_description('wallets.now()'::regprocedure, 'pg_proc'), NULL, 'wallets.now() has a comment');

SELECT * FROM finish();
ROLLBACK;
