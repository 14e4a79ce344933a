-- The balance chain: every entry's balance_before is the previous entry's balance_after on that
-- wallet, from 0, across credits, debits, debts and expirations (swept by expire_due or by a write).
BEGIN;
SELECT plan(16);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT id AS w FROM wallets.open_wallet('chain-alice') \gset
SELECT id AS a FROM wallets.credit(:w, 100, expires_at => '2030-01-10 00:00:00Z') \gset
SELECT id AS b FROM wallets.credit(:w, 50) \gset
SELECT lives_ok(format('SELECT wallets.debit(%s, 30)', :w), 'debit 30');
SET LOCAL wallets.clock = '2030-01-05 00:00:00Z';
SELECT lives_ok(format('SELECT wallets.credit(%s, 20, expires_at => %L)', :w, '2030-01-08 00:00:00Z'), 'credit 20 expiring 2030-01-08');
SELECT lives_ok(format('SELECT wallets.debit(%s, 25)', :w), 'debit 25');
SET LOCAL wallets.clock = '2030-01-09 00:00:00Z';
SELECT lives_ok(format('SELECT wallets.debit(%s, 10)', :w), 'debit 10');
SET LOCAL wallets.clock = '2030-01-11 00:00:00Z';
SELECT is(wallets.expire_due(), 1::bigint, 'expire_due posts the first bucket''s remainder');
SET LOCAL wallets.clock = '2030-01-12 00:00:00Z';
SELECT lives_ok(format('SELECT wallets.credit(%s, 5, expires_at => %L)', :w, '2030-01-13 00:00:00Z'), 'credit 5 expiring 2030-01-13');
SET LOCAL wallets.clock = '2030-01-14 00:00:00Z';
SELECT lives_ok(format('SELECT wallets.debit(%s, 1)', :w), 'debit 1 (sweeps the 5 first)');

SELECT results_eq(
    format('SELECT category, amount, balance_before, balance_after FROM wallets.transactions WHERE wallet_id = %s ORDER BY id', :w),
    $$VALUES ('credit', 100::bigint, 0::bigint, 100::bigint),
             ('credit', 50::bigint, 100::bigint, 150::bigint),
             ('debit', -30::bigint, 150::bigint, 120::bigint),
             ('credit', 20::bigint, 120::bigint, 140::bigint),
             ('debit', -25::bigint, 140::bigint, 115::bigint),
             ('debit', -10::bigint, 115::bigint, 105::bigint),
             ('expiration', -55::bigint, 105::bigint, 50::bigint),
             ('credit', 5::bigint, 50::bigint, 55::bigint),
             ('expiration', -5::bigint, 55::bigint, 50::bigint),
             ('debit', -1::bigint, 50::bigint, 49::bigint)$$,
    'the exact chain, from 0');
SELECT is(wallets.balance(:w), 49::bigint, 'the balance is the last balance_after');

-- A long deterministic pseudo-random run over three wallets, one allowed to go negative.
DO $run$
DECLARE
    wallet_ids bigint[] := ARRAY[(wallets.open_wallet('chain-r1')).id, (wallets.open_wallet('chain-r2')).id,
                                 (wallets.open_wallet('chain-r3', allow_negative => true)).id];
    clock timestamptz := '2031-01-01 00:00:00Z';
    target bigint;
    roll double precision;
BEGIN
    PERFORM setseed(0.42);
    FOR step IN 1 .. 400 LOOP
        PERFORM set_config('wallets.clock', clock::text, true);
        target := wallet_ids[1 + floor(random() * 3)::int];
        roll := random();
        IF roll < 0.40 THEN
            PERFORM wallets.credit(target, 1 + floor(random() * 100)::bigint,
                                   expires_at => CASE WHEN random() < 0.6 THEN clock + (1 + floor(random() * 72)) * interval '1 hour' END,
                                   priority => (floor(random() * 3) * 50)::int);
        ELSIF roll < 0.90 THEN
            BEGIN
                PERFORM wallets.debit(target, 1 + floor(random() * 80)::bigint);
            EXCEPTION WHEN SQLSTATE 'WL001' THEN
                NULL;  -- insufficient: nothing written
            END;
        ELSIF roll < 0.95 THEN
            PERFORM wallets.expire_due(1 + floor(random() * 3)::int);
        ELSE
            PERFORM wallets.balance(target);
        END IF;
        clock := clock + (floor(random() * 240) * interval '1 minute');
    END LOOP;
    PERFORM set_config('wallets.clock', clock::text, true);
END
$run$;

CREATE TEMP VIEW run_entries AS
SELECT t.*, lag(t.balance_after) OVER (PARTITION BY t.wallet_id ORDER BY t.id) AS previous_after,
       row_number() OVER (PARTITION BY t.wallet_id ORDER BY t.id) AS n
FROM wallets.transactions t JOIN wallets.wallets w ON w.id = t.wallet_id
WHERE w.owner LIKE 'chain-r%';

SELECT cmp_ok((SELECT count(*) FROM run_entries WHERE category = 'expiration'), '>', 10::bigint, 'the run posted expirations');
SELECT cmp_ok((SELECT count(*) FROM run_entries WHERE balance_after < 0), '>', 0::bigint, 'the run went negative on chain-r3');
SELECT is_empty($$SELECT id FROM run_entries WHERE n = 1 AND balance_before <> 0$$, 'every wallet''s first entry starts from 0');
SELECT is_empty($$SELECT id FROM run_entries WHERE n > 1 AND balance_before <> previous_after$$,
                'every other entry starts from the previous balance_after');
SELECT is_empty($$SELECT w.id FROM wallets.wallets w WHERE w.owner LIKE 'chain-r%'
                  AND w.ledger_balance <> (SELECT t.balance_after FROM wallets.transactions t WHERE t.wallet_id = w.id ORDER BY t.id DESC LIMIT 1)$$,
                'each wallet''s ledger_balance is its last balance_after');
SELECT is_empty($$SELECT w.id FROM wallets.wallets w WHERE w.owner LIKE 'chain-r%'
                  AND wallets.balance(w.id) <> coalesce((SELECT sum(b.remaining) FROM wallets.buckets b WHERE b.wallet_id = w.id AND b.status = 'active'), 0) - w.debt$$,
                'balance() = active remainders - debt, for every wallet');
SELECT is_empty($$SELECT * FROM wallets.check() WHERE wallet_id IN (SELECT id FROM wallets.wallets WHERE owner LIKE 'chain-%')$$,
                'check() finds nothing');

SELECT * FROM finish();
ROLLBACK;
