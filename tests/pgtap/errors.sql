-- Domain errors: each has its own SQLSTATE (wallets.error_codes), a message naming the ids, and a
-- DETAIL that is a JSON object with "code", "error" and the facts.
BEGIN;
SELECT plan(55);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

-- The catalogue.
SELECT has_view('wallets', 'error_codes', 'wallets.error_codes exists');
SELECT columns_are('wallets', 'error_codes', ARRAY['code', 'name', 'description'], 'error_codes has code, name, description');
SELECT results_eq('SELECT code FROM wallets.error_codes ORDER BY code',
                  $$SELECT 'WL' || lpad(n::text, 3, '0') FROM generate_series(1, 12) n$$, 'error_codes lists exactly WL001..WL012');
SELECT results_eq(
    'SELECT code, name FROM wallets.error_codes ORDER BY code',
    $$VALUES ('WL001', 'insufficient_balance'), ('WL002', 'wallet_not_found'), ('WL003', 'invalid_amount'), ('WL004', 'invalid_transfer'),
             ('WL005', 'invalid_expiration'), ('WL006', 'idempotency_conflict'), ('WL007', 'unknown_operation'), ('WL008', 'operation_rejected'),
             ('WL009', 'unknown_product'), ('WL010', 'ledger_immutable'), ('WL011', 'hold_not_active'), ('WL012', 'invalid_argument')$$,
    'each code has its stable name');
SELECT is_empty($$SELECT code FROM wallets.error_codes WHERE description IS NULL OR description = ''$$, 'every code is described');
SELECT lives_ok($$SET LOCAL ROLE wallets_reader; SELECT * FROM wallets.error_codes; RESET ROLE$$, 'wallets_reader can read error_codes');

-- Runs a statement and returns what it raised: SQLSTATE, message, and DETAIL parsed as JSON
-- (or as a JSON string when it does not parse).
CREATE FUNCTION pg_temp.raised(statement text) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    state text;
    message text;
    detail text;
    parsed jsonb;
BEGIN
    EXECUTE statement;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
    BEGIN
        parsed := detail::jsonb;
    EXCEPTION WHEN OTHERS THEN
        parsed := to_jsonb(detail);
    END;
    RETURN jsonb_build_object('sqlstate', state, 'message', message, 'detail', parsed);
END
$fn$;

SELECT id AS w FROM wallets.open_wallet('err-alice') \gset
SELECT id AS c FROM wallets.credit(:w, 10, idempotency_key => 'k1') \gset
SELECT id AS w2 FROM wallets.open_wallet('err-carol') \gset
SELECT id AS usd FROM wallets.open_wallet('err-carol', 'usd') \gset
SELECT id AS rh FROM wallets.release((wallets.hold(:w, 4)).id) \gset

CREATE TEMP TABLE raised (code text PRIMARY KEY, error jsonb) ON COMMIT DROP;
INSERT INTO raised VALUES
    ('WL001', pg_temp.raised(format('SELECT wallets.debit(%s, 11)', :w))),
    ('WL002', pg_temp.raised('SELECT wallets.credit(-42, 1)')),
    ('WL003', pg_temp.raised(format('SELECT wallets.credit(%s, 0)', :w))),
    ('WL004', pg_temp.raised(format('SELECT wallets.transfer(%s, %s, 1)', :w, :w))),
    ('WL005', pg_temp.raised(format($$SELECT wallets.credit(%s, 1, expires_at => '2029-12-31 00:00:00Z')$$, :w))),
    ('WL006', pg_temp.raised(format($$SELECT wallets.credit(%s, 11, idempotency_key => 'k1')$$, :w))),
    ('WL010', pg_temp.raised(format('DELETE FROM wallets.transactions WHERE id = %s', :c))),
    ('WL011', pg_temp.raised(format('SELECT wallets.release(%s)', :rh))),
    ('WL012', pg_temp.raised(format($$SELECT wallets.debit(%s, 1, 'expiration')$$, :w)));

-- SQLSTATEs, through throws_ok as well.
SELECT throws_ok(format('SELECT wallets.debit(%s, 11)', :w), 'WL001', format('wallet %s has 10 available, cannot debit 11', :w), 'WL001 insufficient balance');
SELECT throws_ok('SELECT wallets.credit(-42, 1)', 'WL002', 'wallet -42 does not exist', 'WL002 unknown wallet (credit)');
SELECT throws_ok('SELECT wallets.debit(-42, 1)', 'WL002', 'wallet -42 does not exist', 'WL002 unknown wallet (debit)');
SELECT throws_ok(format('SELECT wallets.credit(%s, 0)', :w), 'WL003', format('wallet %s: amount must be a positive whole number, got 0', :w), 'WL003 invalid amount');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1)', :w, :w), 'WL004', format('wallet %s cannot transfer to itself', :w), 'WL004 invalid transfer');
SELECT throws_ok(format($$SELECT wallets.credit(%s, 1, expires_at => '2029-12-31 00:00:00Z')$$, :w), 'WL005',
                 format('credit to wallet %s expires at 2029-12-31 00:00:00+00, not after now (2030-01-01 00:00:00+00)', :w), 'WL005 expiry in the past');
SELECT throws_ok(format($$SELECT wallets.credit(%s, 11, idempotency_key => 'k1')$$, :w), 'WL006',
                 format($$idempotency key 'k1' on wallet %s was used by transaction %s with other arguments$$, :w, :c), 'WL006 idempotency conflict');
SELECT throws_ok(format('DELETE FROM wallets.transactions WHERE id = %s', :c), 'WL010',
                 'DELETE on wallets.transactions is not allowed: the ledger is append-only; post a correcting entry instead', 'WL010 ledger immutable');
SELECT throws_ok(format('SELECT wallets.release(%s)', :rh), 'WL011', format('hold %s on wallet %s is released', :rh, :w), 'WL011 hold not active');
SELECT throws_ok(format($$SELECT wallets.debit(%s, 1, 'expiration')$$, :w), 'WL012', format('wallet %s: category ''expiration'' is reserved for the ledger', :w),
                 'WL012 invalid argument');

-- Every captured error: its SQLSTATE, a JSON object DETAIL whose code is that SQLSTATE and whose error is the catalogue's name.
SELECT is_empty($$SELECT code FROM raised WHERE error->>'sqlstate' IS DISTINCT FROM code$$, 'each error carries its own SQLSTATE');
SELECT is_empty($$SELECT code FROM raised WHERE jsonb_typeof(error->'detail') IS DISTINCT FROM 'object'$$, 'each DETAIL is a JSON object');
SELECT is_empty($$SELECT code FROM raised WHERE error->'detail'->>'code' IS DISTINCT FROM code$$, 'each DETAIL has "code" = the SQLSTATE');
SELECT is_empty($$SELECT r.code FROM raised r LEFT JOIN wallets.error_codes e ON e.code = r.code WHERE r.error->'detail'->>'error' IS DISTINCT FROM e.name$$,
                'each DETAIL has "error" = the code''s name in wallets.error_codes');

-- The facts, exactly.
SELECT is((SELECT error->'detail' FROM raised WHERE code = 'WL001'),
          jsonb_build_object('code', 'WL001', 'error', 'insufficient_balance', 'wallet_id', :w, 'requested', 11, 'available', 10),
          'WL001 DETAIL: wallet_id, requested, available');
SELECT is((SELECT error->'detail' FROM raised WHERE code = 'WL002'),
          jsonb_build_object('code', 'WL002', 'error', 'wallet_not_found', 'wallet_id', -42), 'WL002 DETAIL: wallet_id');
SELECT is((SELECT error->'detail' FROM raised WHERE code = 'WL003'),
          jsonb_build_object('code', 'WL003', 'error', 'invalid_amount', 'wallet_id', :w, 'amount', 0), 'WL003 DETAIL: wallet_id, amount');
SELECT is((SELECT error->'detail' FROM raised WHERE code = 'WL004'),
          jsonb_build_object('code', 'WL004', 'error', 'invalid_transfer', 'from_wallet_id', :w, 'to_wallet_id', :w),
          'WL004 DETAIL: from_wallet_id, to_wallet_id');
SELECT is((SELECT error->'detail' FROM raised WHERE code = 'WL005'),
          jsonb_build_object('code', 'WL005', 'error', 'invalid_expiration', 'wallet_id', :w,
                             'expires_at', '2029-12-31T00:00:00+00:00', 'now', '2030-01-01T00:00:00+00:00'),
          'WL005 DETAIL: wallet_id, expires_at, now');
SELECT is((SELECT error->'detail' FROM raised WHERE code = 'WL006'),
          jsonb_build_object('code', 'WL006', 'error', 'idempotency_conflict', 'wallet_id', :w, 'idempotency_key', 'k1', 'transaction_id', :c),
          'WL006 DETAIL: wallet_id, idempotency_key, transaction_id');
SELECT is((SELECT error->'detail' FROM raised WHERE code = 'WL010'),
          jsonb_build_object('code', 'WL010', 'error', 'ledger_immutable', 'table', 'transactions', 'operation', 'DELETE'),
          'WL010 DETAIL: table, operation');
SELECT is((SELECT error->'detail' FROM raised WHERE code = 'WL011'),
          jsonb_build_object('code', 'WL011', 'error', 'hold_not_active', 'hold_id', :rh, 'wallet_id', :w, 'status', 'released',
                             'expires_at', '2030-01-01T00:15:00+00:00'),
          'WL011 DETAIL: hold_id, wallet_id, status, expires_at');
SELECT is((SELECT error->'detail' FROM raised WHERE code = 'WL012'),
          jsonb_build_object('code', 'WL012', 'error', 'invalid_argument', 'wallet_id', :w, 'argument', 'category', 'value', 'expiration'),
          'WL012 DETAIL: wallet_id, argument, value');

-- Messages name the ids involved.
SELECT ok((SELECT error->>'message' FROM raised WHERE code = 'WL001') LIKE format('wallet %s %%', :w), 'the WL001 message names the wallet');
SELECT ok((SELECT error->>'message' FROM raised WHERE code = 'WL006') LIKE format('%% wallet %s %% transaction %s %%', :w, :c),
          'the WL006 message names the wallet and the original transaction');

-- More DETAIL facts of the other raisers of each code.
SELECT is(pg_temp.raised(format('SELECT wallets.credit(%s, NULL)', :w))->'detail',
          jsonb_build_object('code', 'WL003', 'error', 'invalid_amount', 'wallet_id', :w, 'amount', NULL), 'WL003 DETAIL for NULL: amount null');
SELECT is(pg_temp.raised(format('SELECT wallets.credit(%s, 9223372036854775800)', :w))->'detail',
          jsonb_build_object('code', 'WL003', 'error', 'invalid_amount', 'wallet_id', :w, 'amount', 9223372036854775800, 'balance', 10),
          'WL003 DETAIL for an overflow: wallet_id, amount, balance');
SELECT is(pg_temp.raised(format($$SELECT wallets.credit(%s, 1, 'Bad')$$, :w))->'detail',
          jsonb_build_object('code', 'WL012', 'error', 'invalid_argument', 'wallet_id', :w, 'argument', 'category', 'value', 'Bad'), 'WL012 DETAIL for a malformed category');
SELECT is(pg_temp.raised(format('SELECT wallets.credit(%s, 1, priority => 101)', :w))->'detail',
          jsonb_build_object('code', 'WL012', 'error', 'invalid_argument', 'wallet_id', :w, 'argument', 'priority', 'value', 101), 'WL012 DETAIL for a priority');
SELECT is(pg_temp.raised($$SELECT wallets.open_wallet('err-bob', '9')$$)->'detail',
          jsonb_build_object('code', 'WL012', 'error', 'invalid_argument', 'argument', 'asset', 'value', '9'), 'WL012 DETAIL for an asset');
SELECT is(pg_temp.raised('SELECT wallets.expire_due(0)')->'detail',
          jsonb_build_object('code', 'WL012', 'error', 'invalid_argument', 'argument', 'batch_size', 'value', 0), 'WL012 DETAIL for batch_size');
SELECT is(pg_temp.raised('SELECT wallets.balance(-7)')->'detail',
          jsonb_build_object('code', 'WL002', 'error', 'wallet_not_found', 'wallet_id', -7), 'WL002 DETAIL from balance()');
SELECT is(pg_temp.raised(format('UPDATE wallets.allocations SET amount = 2 WHERE wallet_id = %s', :w))->'detail',
          jsonb_build_object('code', 'WL010', 'error', 'ledger_immutable', 'table', 'allocations', 'operation', 'UPDATE'), 'WL010 DETAIL for allocations');
SELECT is(pg_temp.raised(format('SELECT wallets.transfer(%s, %s, 11)', :w, :w2))->'detail',
          jsonb_build_object('code', 'WL001', 'error', 'insufficient_balance', 'wallet_id', :w, 'to_wallet_id', :w2, 'requested', 11, 'available', 10),
          'WL001 DETAIL from transfer: wallet_id, to_wallet_id, requested, available');
SELECT is(pg_temp.raised(format('SELECT wallets.hold(%s, 11)', :w))->'detail',
          jsonb_build_object('code', 'WL001', 'error', 'insufficient_balance', 'wallet_id', :w, 'requested', 11, 'available', 10),
          'WL001 DETAIL from hold: wallet_id, requested, available');
SELECT is(pg_temp.raised(format('SELECT wallets.transfer(%s, %s, 1)', :w, :usd))->'detail',
          jsonb_build_object('code', 'WL004', 'error', 'invalid_transfer', 'from_wallet_id', :w, 'to_wallet_id', :usd, 'from_asset', 'credits', 'to_asset', 'usd'),
          'WL004 DETAIL for two assets: both wallets and assets');
SELECT is(pg_temp.raised(format($$SELECT wallets.hold(%s, 1, '2029-12-31 00:00:00Z')$$, :w))->'detail',
          jsonb_build_object('code', 'WL005', 'error', 'invalid_expiration', 'wallet_id', :w, 'expires_at', '2029-12-31T00:00:00+00:00', 'now', '2030-01-01T00:00:00+00:00'),
          'WL005 DETAIL from hold: wallet_id, expires_at, now');
SELECT is((pg_temp.raised(format('SELECT wallets.capture((wallets.hold(%s, 2)).id, 3)', :w))->'detail') - 'hold_id',
          jsonb_build_object('code', 'WL003', 'error', 'invalid_amount', 'wallet_id', :w, 'held', 2, 'amount', 3),
          'WL003 DETAIL from capture: wallet_id, held, amount (and hold_id)');
SELECT is(pg_temp.raised('SELECT wallets.capture(-3)')->'detail',
          jsonb_build_object('code', 'WL012', 'error', 'invalid_argument', 'argument', 'hold_id', 'value', -3), 'WL012 DETAIL for an unknown hold');
SELECT is(pg_temp.raised('SELECT wallets.void_credit(-3)')->'detail',
          jsonb_build_object('code', 'WL012', 'error', 'invalid_argument', 'argument', 'transaction_id', 'value', -3), 'WL012 DETAIL for an unknown transaction');
SELECT is(pg_temp.raised(format('SELECT * FROM wallets.reverse_debit(%s)', :c))->'detail',
          jsonb_build_object('code', 'WL012', 'error', 'invalid_argument', 'wallet_id', :w, 'transaction_id', :c, 'category', 'credit'),
          'WL012 DETAIL for reversing a credit: wallet_id, transaction_id, category');

-- The same errors reach the application role unchanged.
SELECT throws_ok(format('SET LOCAL ROLE wallets_app; SELECT wallets.debit(%s, 11)', :w), 'WL001', NULL, 'wallets_app gets WL001');
SELECT throws_ok('SET LOCAL ROLE wallets_app; SELECT wallets.balance(-42)', 'WL002', NULL, 'wallets_app gets WL002');
SELECT throws_ok(format('SET LOCAL ROLE wallets_app; SELECT wallets.credit(%s, -1)', :w), 'WL003', NULL, 'wallets_app gets WL003');
SELECT throws_ok(format('SET LOCAL ROLE wallets_app; SELECT wallets.transfer(%s, %s, 1)', :w, :usd), 'WL004', NULL, 'wallets_app gets WL004');
SELECT throws_ok(format('SET LOCAL ROLE wallets_app; SELECT wallets.capture(%s)', :rh), 'WL011', NULL, 'wallets_app gets WL011');

-- None of this wrote anything.
SELECT is((SELECT count(*) FROM wallets.transactions WHERE wallet_id = :w), 1::bigint, 'only the first credit exists');
SELECT is(wallets.balance(:w), 10::bigint, 'balance 10');
SELECT is((SELECT count(*) FROM wallets.holds WHERE wallet_id = :w), 1::bigint, 'only the released hold exists');

SELECT * FROM finish();
ROLLBACK;
