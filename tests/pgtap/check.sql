-- wallets.check(wallet_id): recomputes every cache from the append-only ledger; empty when
-- consistent, one row per disagreement otherwise. Caches are tampered with as the superuser,
-- inside this transaction, and restored after each case.
BEGIN;
SELECT plan(42);
SET LOCAL TimeZone = 'UTC';
SET LOCAL wallets.clock = '2030-01-01 00:00:00Z';

SELECT has_function('wallets', 'check', ARRAY['bigint'], 'check(bigint) exists');
SELECT is_empty('SELECT * FROM wallets.check()', 'an empty ledger is consistent');

-- A ledger with many operations of every kind.
SELECT id AS w FROM wallets.open_wallet('chk-alice') \gset
SELECT id AS n FROM wallets.open_wallet('chk-bob', allow_negative => true) \gset
SELECT id AS a FROM wallets.credit(:w, 100, expires_at => '2030-03-01 00:00:00Z') \gset
SELECT id AS b FROM wallets.credit(:w, 50, priority => 80) \gset
SELECT id AS d FROM wallets.debit(:w, 30) \gset
SELECT id AS n1 FROM wallets.credit(:n, 10) \gset
SELECT id AS nd FROM wallets.debit(:n, 25) \gset
DO $ops$
DECLARE
    wallet_ids bigint[];
BEGIN
    PERFORM setseed(0.7);
    FOR i IN 1 .. 5 LOOP
        wallet_ids := wallet_ids || (wallets.open_wallet('chk-many-' || i, allow_negative => i = 5)).id;
    END LOOP;
    FOR step IN 1 .. 200 LOOP
        PERFORM set_config('wallets.clock', ('2030-01-01 00:00:00Z'::timestamptz + step * interval '1 hour')::text, true);
        IF step % 3 = 0 THEN
            BEGIN
                PERFORM wallets.debit(wallet_ids[1 + step % 5], 1 + floor(random() * 40)::bigint, idempotency_key => 'chk-' || step % 7);
            EXCEPTION WHEN SQLSTATE 'WL001' OR SQLSTATE 'WL006' THEN
                NULL;
            END;
        ELSIF step % 17 = 0 THEN
            PERFORM wallets.expire_due(2);
        ELSE
            PERFORM wallets.credit(wallet_ids[1 + step % 5], 1 + floor(random() * 30)::bigint,
                                   expires_at => CASE WHEN step % 2 = 0 THEN wallets.now() + interval '5 hours' END,
                                   priority => step % 101);
        END IF;
    END LOOP;
END
$ops$;
SET LOCAL wallets.clock = '2030-01-20 00:00:00Z';  -- buckets past expiry, some swept, some not
SELECT cmp_ok((SELECT count(*) FROM wallets.bucket_state WHERE expired), '>', 0::bigint, 'some buckets were swept');
SELECT cmp_ok((SELECT count(*) FROM wallets.bucket_state WHERE remaining > 0 AND expires_at <= wallets.now()), '>', 0::bigint,
              'some are due but not swept');
SELECT cmp_ok((SELECT count(*) FROM wallets.transactions t JOIN wallets.wallets x ON x.id = t.wallet_id WHERE x.owner LIKE 'chk-%'), '>', 150::bigint,
              'many entries were posted');
SELECT is_empty('SELECT * FROM wallets.check()', 'check() is empty on a consistent ledger');
SELECT is_empty(format('SELECT * FROM wallets.check(%s)', :w), 'check(wallet) is empty for a consistent wallet');
SELECT is_empty('SELECT * FROM wallets.check(-1)', 'check() of an unknown wallet is empty');
SELECT count(*) AS due FROM wallets.bucket_state WHERE remaining > 0 AND expires_at <= wallets.now() \gset
SELECT is(wallets.expire_due(), :due::bigint, 'sweep everything due');
SELECT is_empty('SELECT * FROM wallets.check()', 'still consistent after the sweep');

-- 1. A bucket's remainder.
UPDATE wallets.bucket_state SET remaining = remaining + 5 WHERE wallet_id = :w AND transaction_id = :b;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :w),
              format($$VALUES (%1$s::bigint, 'bucket %2$s: remaining 55 plus held 0, but amount 50 minus allocations 0 is 50'),
                              (%1$s, 'wallet %1$s: ledger_balance 120, but bucket remainders 125 minus debt 0 is 125')$$, :w, :b),
              'a tampered bucket remainder is reported, with the wallet sum');
SELECT set_eq('SELECT * FROM wallets.check()', format('SELECT * FROM wallets.check(%s)', :w), 'check() reports the same, and nothing else');
SELECT is_empty(format('SELECT * FROM wallets.check(%s)', :n), 'check(other wallet) is unaffected');
UPDATE wallets.bucket_state SET remaining = remaining - 5 WHERE wallet_id = :w AND transaction_id = :b;

-- 2. The wallet's ledger_balance.
UPDATE wallets.wallets SET ledger_balance = ledger_balance + 1 WHERE id = :w;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :w),
              format($$VALUES (%1$s::bigint, 'wallet %1$s: ledger_balance 121, but the last balance_after is 120'),
                              (%1$s, 'wallet %1$s: ledger_balance 121, but bucket remainders 120 minus debt 0 is 120')$$, :w),
              'a tampered ledger_balance is reported');
UPDATE wallets.wallets SET ledger_balance = ledger_balance - 1 WHERE id = :w;

-- 3. The wallet's debt.
UPDATE wallets.wallets SET debt = 0 WHERE id = :n;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :n),
              format($$VALUES (%1$s::bigint, 'wallet %1$s: debt 0, but outstanding debits sum to 15'),
                              (%1$s, 'wallet %1$s: ledger_balance -15, but bucket remainders 0 minus debt 0 is 0')$$, :n),
              'a tampered debt is reported');
UPDATE wallets.wallets SET debt = 15 WHERE id = :n;

-- 4. A debit's outstanding part.
UPDATE wallets.debt_state SET outstanding = 14 WHERE wallet_id = :n AND transaction_id = :nd;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :n),
              format($$VALUES (%1$s::bigint, 'transaction %2$s: debits 25, but allocations cover 10 and outstanding debt is 14'),
                              (%1$s, 'wallet %1$s: debt 15, but outstanding debits sum to 14')$$, :n, :nd),
              'a tampered outstanding debt is reported');
UPDATE wallets.debt_state SET outstanding = 15 WHERE wallet_id = :n AND transaction_id = :nd;

-- 5. The expiry floor.
UPDATE wallets.wallets SET expiry_floor = '2030-03-02 00:00:00Z' WHERE id = :w;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :w),
              format($$VALUES (%1$s::bigint, 'wallet %1$s: expiry_floor 2030-03-02 00:00:00+00 is later than its earliest expiring bucket or hold 2030-03-01 00:00:00+00')$$, :w),
              'an expiry floor later than the earliest expiry is reported');
UPDATE wallets.wallets SET expiry_floor = NULL WHERE id = :w;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :w),
              format($$VALUES (%1$s::bigint, 'wallet %1$s: expiry_floor  is later than its earliest expiring bucket or hold 2030-03-01 00:00:00+00')$$, :w),
              'a missing expiry floor is reported');
UPDATE wallets.wallets SET expiry_floor = '2030-03-01 00:00:00Z' WHERE id = :w;

-- 6. A bucket's copies of its credit's columns.
-- Priority 7 also sorts the bucket before the wallet's draw_from key.
UPDATE wallets.bucket_state SET priority = 7 WHERE wallet_id = :w AND transaction_id = :b;
SELECT draw_from_id FROM wallets.wallets WHERE id = :w \gset
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :w),
              format($$VALUES (%1$s::bigint, 'bucket %2$s: priority or expiry differs from its credit'),
                              (%1$s, 'wallet %1$s: bucket %2$s has credits to draw but sorts before the draw_from key (50, 2030-03-01 00:00:00+00, %3$s)')$$,
                     :w, :b, :draw_from_id),
              'a tampered bucket priority is reported');
UPDATE wallets.bucket_state SET priority = 80, expires_at = '2030-02-01Z' WHERE wallet_id = :w AND transaction_id = :b;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :w),
              format($$VALUES (%1$s::bigint, 'bucket %2$s: priority or expiry differs from its credit'),
                              (%1$s, 'wallet %1$s: expiry_floor 2030-03-01 00:00:00+00 is later than its earliest expiring bucket or hold 2030-02-01 00:00:00+00')$$, :w, :b),
              'a tampered bucket expiry is reported');
UPDATE wallets.bucket_state SET expires_at = NULL WHERE wallet_id = :w AND transaction_id = :b;

-- 7. The expired flag.
UPDATE wallets.bucket_state SET expired = true WHERE wallet_id = :w AND transaction_id = :b;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :w),
              format($$VALUES (%1$s::bigint, 'bucket %2$s: flagged expired without an expiration entry')$$, :w, :b),
              'an expired flag without an expiration entry is reported');
UPDATE wallets.bucket_state SET expired = false WHERE wallet_id = :w AND transaction_id = :b;

-- 8. A missing bucket.
DELETE FROM wallets.bucket_state WHERE wallet_id = :w AND transaction_id = :b;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :w),
              format($$VALUES (%1$s::bigint, 'credit %2$s has no bucket'),
                              (%1$s, 'wallet %1$s: ledger_balance 120, but bucket remainders 70 minus debt 0 is 70')$$, :w, :b),
              'a credit without a bucket is reported, under its wallet');
INSERT INTO wallets.bucket_state (wallet_id, transaction_id, priority, expires_at, remaining, open) VALUES (:w, :b, 80, NULL, 50, true);

-- 9. A bucket that is no credit.
INSERT INTO wallets.bucket_state (wallet_id, transaction_id, priority, expires_at, remaining, open) VALUES (:w, :d, 50, NULL, 0, false);
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :w),
              format($$VALUES (%1$s::bigint, 'bucket %2$s does not belong to a credit')$$, :w, :d),
              'a bucket for a debit is reported');
DELETE FROM wallets.bucket_state WHERE wallet_id = :w AND transaction_id = :d;
SELECT is_empty('SELECT * FROM wallets.check()', 'every cache restored: consistent again');

-- 10. Holds, transfers, reversals, voids and expiry changes.
SELECT id AS hw FROM wallets.open_wallet('chk-holds') \gset
SELECT id AS hw2 FROM wallets.open_wallet('chk-holds-2') \gset
SELECT id AS hb FROM wallets.credit(:hw, 100, expires_at => '2030-02-01 00:00:00Z') \gset
SELECT id AS hh FROM wallets.hold(:hw, 30, '2030-01-25 00:00:00Z') \gset
SELECT id AS hc FROM wallets.hold(:hw, 10, '2030-01-25 00:00:00Z') \gset
SELECT id AS hcap FROM wallets.capture(:hc, 6) \gset
SELECT id AS ht FROM wallets.transfer(:hw, :hw2, 20) \gset
SELECT id AS hd FROM wallets.debit(:hw, 5) \gset
SELECT id AS hd2 FROM wallets.debit(:hw, 3) \gset
SELECT id AS hr FROM wallets.reverse_debit(:hd, 5) \gset
SELECT id AS hv FROM wallets.void_credit((SELECT id FROM wallets.credit(:hw2, 4))) \gset
SELECT id AS hx FROM wallets.set_expiry((SELECT id FROM wallets.credit(:hw2, 7, expires_at => '2030-01-21 00:00:00Z')), NULL) \gset
SELECT is_empty('SELECT * FROM wallets.check()', 'holds (active and captured), a transfer, a reversal, a void and an expiry change: consistent');
UPDATE wallets.bucket_state SET held = held + 5 WHERE wallet_id = :hw AND transaction_id = :hb;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :hw),
              format($$VALUES (%1$s::bigint, 'bucket %2$s: remaining 36 plus held 35, but amount 100 minus allocations 34 is 66'),
                              (%1$s, 'bucket %2$s: held 35, but active holds reserve 30 of it'),
                              (%1$s, 'wallet %1$s: ledger_balance 71, but bucket remainders 76 minus debt 0 is 76')$$, :hw, :hb),
              'a tampered bucket held figure is reported against the bucket''s amount, the holds and the wallet');
UPDATE wallets.bucket_state SET held = held - 5 WHERE wallet_id = :hw AND transaction_id = :hb;
UPDATE wallets.wallets SET held = held + 1 WHERE id = :hw;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :hw),
              format($$VALUES (%1$s::bigint, 'wallet %1$s: held 31, but its active holds reserve 30')$$, :hw),
              'a tampered wallet held figure is reported');
UPDATE wallets.wallets SET held = held - 1 WHERE id = :hw;
UPDATE wallets.holds SET amount = 31 WHERE wallet_id = :hw AND id = :hh;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :hw),
              format($$VALUES (%1$s::bigint, 'hold %2$s (active): amount 31, but it reserved 30'),
                              (%1$s, 'wallet %1$s: held 30, but its active holds reserve 31')$$, :hw, :hh),
              'a tampered hold amount is reported');
UPDATE wallets.holds SET amount = 30 WHERE wallet_id = :hw AND id = :hh;
UPDATE wallets.holds SET captured_amount = 7 WHERE wallet_id = :hw AND id = :hc;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :hw),
              format($$VALUES (%1$s::bigint, 'hold %2$s (captured): captured_amount 7, but its captures debit 6')$$, :hw, :hc),
              'a tampered captured_amount is reported');
UPDATE wallets.holds SET captured_amount = 6 WHERE wallet_id = :hw AND id = :hc;
UPDATE wallets.holds SET status = 'released', closed_at = wallets.now() WHERE wallet_id = :hw AND id = :hh;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :hw),
              format($$VALUES (%1$s::bigint, 'bucket %2$s: held 30, but active holds reserve 0 of it'),
                              (%1$s, 'wallet %1$s: held 30, but its active holds reserve 0')$$, :hw, :hb),
              'a hold closed without returning its credits is reported');
UPDATE wallets.holds SET status = 'active', closed_at = NULL WHERE wallet_id = :hw AND id = :hh;
UPDATE wallets.wallets SET expiry_floor = '2030-01-26 00:00:00Z' WHERE id = :hw;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :hw),
              format($$VALUES (%1$s::bigint, 'wallet %1$s: expiry_floor 2030-01-26 00:00:00+00 is later than its earliest expiring bucket or hold 2030-01-25 00:00:00+00')$$, :hw),
              'an expiry floor later than an active hold''s expiry is reported');
UPDATE wallets.wallets SET expiry_floor = '2030-01-25 00:00:00Z' WHERE id = :hw;
ALTER TABLE wallets.hold_allocations DISABLE TRIGGER hold_allocations_append_only;
UPDATE wallets.hold_allocations SET amount = 29 WHERE wallet_id = :hw AND hold_id = :hh;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :hw),
              format($$VALUES (%1$s::bigint, 'bucket %2$s: held 30, but active holds reserve 29 of it'),
                              (%1$s, 'hold %3$s (active): amount 30, but it reserved 29')$$, :hw, :hb, :hh),
              'a tampered reservation is reported');
UPDATE wallets.hold_allocations SET amount = 30 WHERE wallet_id = :hw AND hold_id = :hh;
ALTER TABLE wallets.hold_allocations ENABLE TRIGGER hold_allocations_append_only;
ALTER TABLE wallets.transfers DISABLE TRIGGER transfers_append_only;
UPDATE wallets.transfers SET amount = 21 WHERE from_wallet_id = :hw AND id = :ht;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :hw),
              format($$VALUES (%1$s::bigint, 'transfer %2$s: its legs sum to 0 and its outbound leg is -20, for an amount of 21')$$, :hw, :ht),
              'a transfer whose legs do not match its amount is reported');
UPDATE wallets.transfers SET amount = 20 WHERE from_wallet_id = :hw AND id = :ht;
ALTER TABLE wallets.transfers ENABLE TRIGGER transfers_append_only;
ALTER TABLE wallets.transactions DISABLE TRIGGER transactions_append_only;
UPDATE wallets.transactions SET reversal_of = :hd2 WHERE wallet_id = :hw AND id = :hr;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :hw),
              format($$VALUES (%1$s::bigint, 'debit %2$s: reversals give back 5, more than the 3 its buckets gave')$$, :hw, :hd2),
              'reversals giving back more than a debit drew are reported');
UPDATE wallets.transactions SET reversal_of = :hd WHERE wallet_id = :hw AND id = :hr;
UPDATE wallets.transactions SET hold_id = NULL WHERE wallet_id = :hw AND id = :hcap;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :hw),
              format($$VALUES (%1$s::bigint, 'hold %2$s (captured): captured_amount 6, but its captures debit 0')$$, :hw, :hc),
              'a capture that lost its hold id is reported');
UPDATE wallets.transactions SET hold_id = :hc WHERE wallet_id = :hw AND id = :hcap;
ALTER TABLE wallets.transactions ENABLE TRIGGER transactions_append_only;
SELECT is_empty('SELECT * FROM wallets.check()', 'restored: consistent again');

-- 11. The ledger itself, with the append-only trigger switched off by the superuser.
ALTER TABLE wallets.transactions DISABLE TRIGGER transactions_append_only;
UPDATE wallets.transactions SET balance_before = balance_before + 1, balance_after = balance_after + 1 WHERE wallet_id = :w AND id = :d;
ALTER TABLE wallets.transactions ENABLE TRIGGER transactions_append_only;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :w),
              format($$VALUES (%1$s::bigint, 'transaction %2$s: balance_before 151, but the previous balance_after is 150'),
                              (%1$s, 'wallet %1$s: ledger_balance 120, but the last balance_after is 121')$$, :w, :d),
              'a broken balance chain is reported');
ALTER TABLE wallets.allocations DISABLE TRIGGER allocations_append_only;
UPDATE wallets.allocations SET amount = 29 WHERE wallet_id = :w AND transaction_id = :d;
ALTER TABLE wallets.allocations ENABLE TRIGGER allocations_append_only;
SELECT set_eq(format('SELECT * FROM wallets.check(%s)', :w),
              format($$VALUES (%1$s::bigint, 'transaction %2$s: balance_before 151, but the previous balance_after is 150'),
                              (%1$s, 'wallet %1$s: ledger_balance 120, but the last balance_after is 121'),
                              (%1$s, 'bucket %3$s: remaining 70 plus held 0, but amount 100 minus allocations 29 is 71'),
                              (%1$s, 'transaction %2$s: debits 30, but allocations cover 29 and outstanding debt is 0')$$, :w, :d, :a),
              'an allocation not matching its entry or its bucket is reported');
ALTER TABLE wallets.allocations DISABLE TRIGGER allocations_append_only;
INSERT INTO wallets.allocations VALUES (:w, :b, :a, 1);
ALTER TABLE wallets.allocations ENABLE TRIGGER allocations_append_only;
SELECT ok((SELECT count(*) FROM wallets.check(:w) WHERE problem = format('allocation of transaction %s from %s: must draw a negative entry from a credit', :b, :a)) = 1,
          'an allocation drawing a credit from a credit is reported');
INSERT INTO wallets.allocations VALUES (:w, :b, -7, 1);
SELECT ok((SELECT count(*) FROM wallets.check(:w) WHERE problem = format('allocation of transaction %s from -7: refers to a missing transaction', :b)) = 1,
          'an allocation whose bucket does not exist is reported');
SELECT isnt_empty(format('SELECT * FROM wallets.check(%s)', :w), 'the tampered wallet is reported');
SELECT is_empty(format('SELECT * FROM wallets.check() WHERE wallet_id IS DISTINCT FROM %s', :w), 'and only that wallet');

SELECT * FROM finish();
ROLLBACK;
