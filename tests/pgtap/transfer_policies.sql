-- The expiration policies of wallets.transfer: preserve (the sender's expiries, one inbound leg per
-- distinct expiry drawn), none (never expires), fixed (the receiver's credits expire at expires_at).
-- Resolution: NULL policy with expires_at -> fixed; NULL without -> preserve.
BEGIN;
SELECT plan(39);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT id AS s FROM wallets.open_wallet('pol-sender') \gset
SELECT id AS r FROM wallets.open_wallet('pol-receiver') \gset
SELECT id AS s_soon FROM wallets.credit(:s, 100, expires_at => '2030-01-03 00:00:00Z') \gset
SELECT id AS s_late FROM wallets.credit(:s, 100, expires_at => '2030-01-10 00:00:00Z') \gset
SELECT id AS s_never FROM wallets.credit(:s, 100) \gset

-- The inbound legs of one transfer.
CREATE TEMP VIEW legs AS
SELECT t.transfer_id, t.id, t.amount, t.expires_at, t.priority, b.remaining, b.status
FROM wallets.transactions t JOIN wallets.buckets b ON b.transaction_id = t.id
WHERE t.category = 'transfer_in';

-- preserve, by default.
SELECT id AS p1 FROM wallets.transfer(:s, :r, 30) \gset
SELECT results_eq(format('SELECT expiration_policy, expires_at FROM wallets.transfers WHERE id = %s', :p1), $$VALUES ('preserve', NULL::timestamptz)$$,
                  'no policy and no expires_at: preserve');
SELECT results_eq(format('SELECT amount, expires_at FROM legs WHERE transfer_id = %s', :p1), $$VALUES (30::bigint, '2030-01-03 00:00:00Z'::timestamptz)$$,
                  'preserve: the leg keeps the expiry of the bucket drawn');
-- preserve, named, across all three kinds of bucket.
SELECT id AS p2 FROM wallets.transfer(:s, :r, 200, expiration_policy => 'preserve') \gset
SELECT results_eq(format('SELECT expiration_policy FROM wallets.transfers WHERE id = %s', :p2), $$VALUES ('preserve')$$, 'preserve named');
SELECT results_eq(
    format($$SELECT t.amount, t.expires_at FROM wallets.transactions t WHERE t.transfer_id = %s AND t.category = 'transfer_in' ORDER BY t.id$$, :p2),
    $$VALUES (70::bigint, '2030-01-03 00:00:00Z'::timestamptz), (100::bigint, '2030-01-10 00:00:00Z'::timestamptz), (30::bigint, NULL::timestamptz)$$,
    'preserve: one leg per distinct expiry drawn (the rest of the 3-day bucket, the 10-day bucket, 30 never expiring), in draw-down order');
SELECT is(wallets.balance(:s), 70::bigint, 'the sender keeps 70 never-expiring');
SELECT results_eq(format('SELECT transaction_id, remaining FROM wallets.buckets WHERE wallet_id = %s ORDER BY transaction_id', :s),
                  format('VALUES (%s::bigint, 0::bigint), (%s::bigint, 0::bigint), (%s::bigint, 70::bigint)', :s_soon, :s_late, :s_never),
                  'the sender''s buckets: 0, 0, 70');

-- none: one leg that never expires, whatever the sender's buckets.
SELECT id AS s2 FROM wallets.open_wallet('pol-sender-2') \gset
SELECT id AS s2_soon FROM wallets.credit(:s2, 50, expires_at => '2030-01-02 00:00:00Z') \gset
SELECT id AS s2_late FROM wallets.credit(:s2, 50, expires_at => '2030-01-05 00:00:00Z') \gset
SELECT id AS n1 FROM wallets.transfer(:s2, :r, 80, expiration_policy => 'none') \gset
SELECT results_eq(format('SELECT expiration_policy, expires_at FROM wallets.transfers WHERE id = %s', :n1), $$VALUES ('none', NULL::timestamptz)$$,
                  'none is stored');
SELECT results_eq(format('SELECT amount, expires_at, priority FROM legs WHERE transfer_id = %s', :n1), $$VALUES (80::bigint, NULL::timestamptz, 50)$$,
                  'none: one leg of 80, never expiring, although the sender''s credits expire in 1 and 4 days');
SELECT results_eq(format('SELECT source_transaction_id, amount FROM wallets.allocations WHERE wallet_id = %s ORDER BY source_transaction_id', :s2),
                  format('VALUES (%s::bigint, 50::bigint), (%s::bigint, 30::bigint)', :s2_soon, :s2_late), 'the outbound leg still draws in draw-down order');

-- fixed: one leg at expires_at, given with or without the policy's name.
SELECT id AS f1 FROM wallets.transfer(:s, :r, 10, expiration_policy => 'fixed', expires_at => '2030-01-20 00:00:00Z') \gset
SELECT results_eq(format('SELECT expiration_policy, expires_at FROM wallets.transfers WHERE id = %s', :f1),
                  $$VALUES ('fixed', '2030-01-20 00:00:00Z'::timestamptz)$$, 'fixed is stored with its expiry');
SELECT results_eq(format('SELECT amount, expires_at FROM legs WHERE transfer_id = %s', :f1), $$VALUES (10::bigint, '2030-01-20 00:00:00Z'::timestamptz)$$,
                  'fixed: one leg expiring at expires_at, although the sender''s credits never expire');
SELECT id AS f2 FROM wallets.transfer(:s2, :r, 20, expires_at => '2030-01-01 00:00:00.000001Z') \gset
SELECT results_eq(format('SELECT expiration_policy, expires_at FROM wallets.transfers WHERE id = %s', :f2),
                  $$VALUES ('fixed', '2030-01-01 00:00:00.000001Z'::timestamptz)$$, 'expires_at without a policy resolves to fixed');
SELECT results_eq(format('SELECT amount, expires_at FROM legs WHERE transfer_id = %s', :f2),
                  $$VALUES (20::bigint, '2030-01-01 00:00:00.000001Z'::timestamptz)$$,
                  'fixed may shorten the expiry: one microsecond after now is accepted');

-- The receiver's credits then expire by their own policy.
SELECT results_eq(format('SELECT wallets.balance(%s)', :r), 'VALUES (340::bigint)', 'the receiver has 30 + 200 + 80 + 10 + 20');
SET LOCAL wallets.clock = '2030-01-01 00:00:00.000001Z';
SELECT is(wallets.balance(:r), 320::bigint, 'the fixed 20 expire first');
SET LOCAL wallets.clock = '2030-01-03 00:00:00Z';
SELECT is(wallets.balance(:r), 220::bigint, 'then the preserved 30 and 70 with the sender''s 3-day bucket');
SET LOCAL wallets.clock = '2030-01-10 00:00:00Z';
SELECT is(wallets.balance(:r), 120::bigint, 'then the preserved 100 with the 10-day bucket');
SET LOCAL wallets.clock = '2030-01-20 00:00:00Z';
SELECT is(wallets.balance(:r), 110::bigint, 'then the fixed 10');
SET LOCAL wallets.clock = '2031-01-01 00:00:00Z';
SELECT is(wallets.balance(:r), 110::bigint, 'the none 80 and the preserved never-expiring 30 stay');
SELECT is(wallets.expire_due(), 5::bigint, 'expire_due expires the five expired legs (the senders have spent their expiring buckets)');
SELECT results_eq(format($$SELECT amount FROM wallets.transactions WHERE wallet_id = %s AND category = 'expiration' ORDER BY id$$, :r),
                  'VALUES (-20::bigint), (-30::bigint), (-70::bigint), (-100::bigint), (-10::bigint)', 'the receiver''s expirations, oldest expiry first');
SELECT results_eq(format('SELECT ledger_balance, expiry_floor FROM wallets.wallets WHERE id = %s', :r), 'VALUES (110::bigint, NULL::timestamptz)',
                  'the receiver keeps 110 that never expire');
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

-- Invalid combinations: WL005 and WL012, nothing written.
SELECT id AS s3 FROM wallets.open_wallet('pol-sender-3') \gset
SELECT id AS s3c FROM wallets.credit(:s3, 100) \gset
CREATE TEMP TABLE before_errors ON COMMIT DROP AS
SELECT (SELECT count(*) FROM wallets.transactions) AS entries, (SELECT count(*) FROM wallets.transfers) AS transfers;
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1, expiration_policy => %L, expires_at => %L)', :s3, :r, 'preserve', '2030-02-01Z'), 'WL005',
                 format('transfer from wallet %s: policy preserve takes no expires_at', :s3), 'preserve with expires_at is WL005');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1, expiration_policy => %L, expires_at => %L)', :s3, :r, 'none', '2030-02-01Z'), 'WL005',
                 format('transfer from wallet %s: policy none takes no expires_at', :s3), 'none with expires_at is WL005');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1, expiration_policy => %L)', :s3, :r, 'fixed'), 'WL005',
                 format('transfer from wallet %s: policy fixed needs expires_at', :s3), 'fixed without expires_at is WL005');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1, expiration_policy => %L, expires_at => %L)', :s3, :r, 'fixed', '2030-01-01 00:00:00Z'), 'WL005',
                 format('transfer from wallet %s expires at 2030-01-01 00:00:00+00, not after now (2030-01-01 00:00:00+00)', :s3),
                 'fixed with expires_at = now is WL005');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1, expires_at => %L)', :s3, :r, '2029-12-31 23:59:59.999999Z'), 'WL005',
                 format('transfer from wallet %s expires at 2029-12-31 23:59:59.999999+00, not after now (2030-01-01 00:00:00+00)', :s3),
                 'an expires_at in the past, policy resolved to fixed, is WL005');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1, expiration_policy => %L)', :s3, :r, 'keep'), 'WL012',
                 format('transfer from wallet %s: expiration_policy ''keep'' is not one of preserve, none, fixed', :s3), 'an unknown policy is WL012');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1, expiration_policy => %L)', :s3, :r, 'PRESERVE'), 'WL012', NULL,
                 'policy names are case-sensitive: PRESERVE is WL012');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1, expiration_policy => %L)', :s3, :r, ''), 'WL012', NULL, 'an empty policy is WL012');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 1, expiration_policy => %L, expires_at => %L)', :s3, :r, 'keep', '2030-02-01Z'), 'WL012', NULL,
                 'an unknown policy with expires_at is WL012 too');
SELECT results_eq('SELECT (SELECT count(*) FROM wallets.transactions), (SELECT count(*) FROM wallets.transfers)',
                  'SELECT entries, transfers FROM before_errors', 'the rejected transfers wrote nothing');

-- The error's facts.
CREATE FUNCTION pg_temp.detail(statement text) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    detail text;
BEGIN
    EXECUTE statement;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN detail::jsonb;
END
$fn$;
SELECT is(pg_temp.detail(format('SELECT wallets.transfer(%s, %s, 1, expiration_policy => %L)', :s3, :r, 'keep')),
          jsonb_build_object('code', 'WL012', 'error', 'invalid_argument', 'wallet_id', :s3, 'argument', 'expiration_policy', 'value', 'keep'),
          'WL012 DETAIL: wallet_id, argument, value');
SELECT is(pg_temp.detail(format('SELECT wallets.transfer(%s, %s, 1, expiration_policy => %L, expires_at => %L)', :s3, :r, 'none', '2030-02-01Z')),
          jsonb_build_object('code', 'WL005', 'error', 'invalid_expiration', 'wallet_id', :s3, 'expiration_policy', 'none', 'expires_at', '2030-02-01T00:00:00+00:00'),
          'WL005 DETAIL for a policy taking no expiry: wallet_id, expiration_policy, expires_at');
SELECT is(pg_temp.detail(format('SELECT wallets.transfer(%s, %s, 1, expires_at => %L)', :s3, :r, '2029-12-31Z')),
          jsonb_build_object('code', 'WL005', 'error', 'invalid_expiration', 'wallet_id', :s3, 'expires_at', '2029-12-31T00:00:00+00:00',
                             'now', '2030-01-01T00:00:00+00:00'),
          'WL005 DETAIL for a past expiry: wallet_id, expires_at, now');

-- A policy-fixed replay after its expires_at has passed returns the original, not WL005.
SELECT id AS fk FROM wallets.transfer(:s3, :r, 5, expires_at => '2030-01-02 00:00:00Z', idempotency_key => 'pol-fixed') \gset
SET LOCAL wallets.clock = '2030-01-03 00:00:00Z';
SELECT is((SELECT id FROM wallets.transfer(:s3, :r, 5, expires_at => '2030-01-02 00:00:00Z', idempotency_key => 'pol-fixed')), :fk::bigint,
          'a fixed transfer replayed after its expiry returns the original');
SELECT is((SELECT id FROM wallets.transfer(:s3, :r, 5, 'transfer', 'fixed', '2030-01-02 01:00:00+01', idempotency_key => 'pol-fixed')), :fk::bigint,
          '... also with the policy named and the same instant in another offset');
SELECT throws_ok(format('SELECT wallets.transfer(%s, %s, 5, expires_at => %L, idempotency_key => %L)', :s3, :r, '2030-01-02 00:00:01Z', 'pol-fixed'),
                 'WL006', NULL, 'another fixed expiry is WL006');

SELECT is_empty($$SELECT * FROM wallets.check() WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'pol-%')$$, 'the ledger is consistent');

SELECT * FROM finish();
ROLLBACK;
