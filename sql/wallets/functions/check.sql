CREATE OR REPLACE FUNCTION wallets.check(wallet_id bigint DEFAULT NULL)
RETURNS TABLE (wallet_id bigint, problem text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
WITH scope AS (
    SELECT w.* FROM wallets.wallets w WHERE $1 IS NULL OR w.id = $1
),
entries AS (
    SELECT t.*, lag(t.balance_after, 1, 0::bigint) OVER (PARTITION BY t.wallet_id ORDER BY t.id) AS previous_balance,
           row_number() OVER (PARTITION BY t.wallet_id ORDER BY t.id DESC) AS newness
    FROM wallets.transactions t
    WHERE t.wallet_id IN (SELECT id FROM scope)
),
drawn AS (  -- what each bucket gave
    SELECT a.wallet_id, a.source_transaction_id AS id, sum(a.amount) AS amount
    FROM wallets.allocations a WHERE a.wallet_id IN (SELECT id FROM scope) GROUP BY 1, 2
),
covered AS (  -- what each negative entry received
    SELECT a.wallet_id, a.transaction_id AS id, sum(a.amount) AS amount
    FROM wallets.allocations a WHERE a.wallet_id IN (SELECT id FROM scope) GROUP BY 1, 2
),
buckets AS (
    SELECT b.*, t.amount, t.priority AS entry_priority, t.expires_at AS entry_expires_at, t.id AS entry_id,
           t.wallet_id AS entry_wallet_id
    FROM wallets.bucket_state b
    FULL JOIN (SELECT * FROM entries WHERE amount > 0) t ON t.wallet_id = b.wallet_id AND t.id = b.transaction_id
    WHERE coalesce(b.wallet_id, t.wallet_id) IN (SELECT id FROM scope)
),
debts AS (
    SELECT d.* FROM wallets.debt_state d WHERE d.wallet_id IN (SELECT id FROM scope)
),
active_reservations AS (  -- what active holds reserve, per bucket
    SELECT r.wallet_id, r.source_transaction_id AS id, sum(r.amount) AS amount
    FROM wallets.holds h JOIN wallets.hold_allocations r ON r.wallet_id = h.wallet_id AND r.hold_id = h.id
    WHERE h.wallet_id IN (SELECT id FROM scope) AND h.status = 'active' GROUP BY 1, 2
),
holds AS (
    SELECT h.*,
           (SELECT coalesce(sum(r.amount), 0) FROM wallets.hold_allocations r WHERE r.wallet_id = h.wallet_id AND r.hold_id = h.id) AS reserved,
           (SELECT coalesce(-sum(e.amount), 0) FROM entries e WHERE e.wallet_id = h.wallet_id AND e.hold_id = h.id) AS captured
    FROM wallets.holds h WHERE h.wallet_id IN (SELECT id FROM scope)
)
SELECT e.wallet_id, format('transaction %s: balance_before %s, but the previous balance_after is %s', e.id, e.balance_before, e.previous_balance)
FROM entries e WHERE e.balance_before <> e.previous_balance
UNION ALL
SELECT s.id, format('wallet %s: ledger_balance %s, but the last balance_after is %s', s.id, s.ledger_balance, coalesce(e.balance_after, 0))
FROM scope s LEFT JOIN entries e ON e.wallet_id = s.id AND e.newness = 1
WHERE s.ledger_balance <> coalesce(e.balance_after, 0)
UNION ALL
SELECT coalesce(b.wallet_id, b.entry_wallet_id), CASE
        WHEN b.transaction_id IS NULL THEN format('credit %s has no bucket', b.entry_id)
        ELSE format('bucket %s does not belong to a credit', b.transaction_id) END
FROM buckets b WHERE b.transaction_id IS NULL OR b.entry_id IS NULL
UNION ALL
SELECT b.wallet_id, format('bucket %s: remaining %s plus held %s, but amount %s minus allocations %s is %s',
                           b.transaction_id, b.remaining, b.held, b.amount, coalesce(d.amount, 0), b.amount - coalesce(d.amount, 0))
FROM buckets b LEFT JOIN drawn d ON d.wallet_id = b.wallet_id AND d.id = b.transaction_id
WHERE b.remaining + b.held <> b.amount - coalesce(d.amount, 0)
UNION ALL
SELECT b.wallet_id, format('bucket %s: held %s, but active holds reserve %s of it', b.transaction_id, b.held, coalesce(r.amount, 0))
FROM buckets b LEFT JOIN active_reservations r ON r.wallet_id = b.wallet_id AND r.id = b.transaction_id
WHERE b.transaction_id IS NOT NULL AND b.held <> coalesce(r.amount, 0)
UNION ALL
SELECT h.wallet_id, format('hold %s (%s): amount %s, but it reserved %s', h.id, h.status, h.amount, h.reserved)
FROM holds h WHERE h.reserved <> h.amount
UNION ALL
SELECT h.wallet_id, format('hold %s (%s): captured_amount %s, but its captures debit %s', h.id, h.status, h.captured_amount, h.captured)
FROM holds h WHERE h.captured <> h.captured_amount
UNION ALL
SELECT s.id, format('wallet %s: held %s, but its active holds reserve %s', s.id, s.held,
                    (SELECT coalesce(sum(h.amount), 0) FROM holds h WHERE h.wallet_id = s.id AND h.status = 'active'))
FROM scope s
WHERE s.held <> (SELECT coalesce(sum(h.amount), 0) FROM holds h WHERE h.wallet_id = s.id AND h.status = 'active')
UNION ALL
SELECT t.from_wallet_id, format('transfer %s: its legs sum to %s and its outbound leg is %s, for an amount of %s',
                                t.id, coalesce(sum(e.amount), 0), coalesce(sum(e.amount) FILTER (WHERE e.category = 'transfer_out'), 0), t.amount)
FROM wallets.transfers t LEFT JOIN wallets.transactions e ON e.transfer_id = t.id
WHERE t.from_wallet_id IN (SELECT id FROM scope)
GROUP BY t.from_wallet_id, t.id, t.amount
HAVING coalesce(sum(e.amount), 0) <> 0 OR coalesce(sum(e.amount) FILTER (WHERE e.category = 'transfer_out'), 0) <> -t.amount
UNION ALL
SELECT e.wallet_id, format('debit %s: reversals give back %s, more than the %s its buckets gave', e.id, r.amount, given.amount)
FROM entries e
JOIN (SELECT x.wallet_id, x.reversal_of, sum(x.amount) AS amount FROM entries x WHERE x.reversal_of IS NOT NULL GROUP BY 1, 2) r
  ON r.wallet_id = e.wallet_id AND r.reversal_of = e.id
CROSS JOIN LATERAL (  -- a reversal of this debit repaying its debt is not a bucket it drew from
    SELECT coalesce(sum(a.amount), 0) AS amount FROM wallets.allocations a
    JOIN entries s ON s.wallet_id = a.wallet_id AND s.id = a.source_transaction_id
    WHERE a.wallet_id = e.wallet_id AND a.transaction_id = e.id AND s.reversal_of IS DISTINCT FROM e.id) given
WHERE r.amount > given.amount
UNION ALL
SELECT b.wallet_id, format('bucket %s: priority or expiry differs from its credit', b.transaction_id)
FROM buckets b
WHERE b.transaction_id IS NOT NULL AND b.entry_id IS NOT NULL  -- an unmatched side is reported above
  AND (b.priority, b.expires_at) IS DISTINCT FROM (b.entry_priority, b.entry_expires_at)
UNION ALL
SELECT b.wallet_id, CASE WHEN b.expired THEN format('bucket %s: flagged expired without an expiration entry', b.transaction_id)
                        ELSE format('bucket %s: has an expiration entry but is not flagged expired', b.transaction_id) END
FROM buckets b
WHERE b.expired <> EXISTS (SELECT FROM wallets.allocations a JOIN wallets.transactions t ON t.wallet_id = a.wallet_id AND t.id = a.transaction_id
                           WHERE a.wallet_id = b.wallet_id AND a.source_transaction_id = b.transaction_id AND t.category = 'expiration')
UNION ALL
SELECT e.wallet_id, format('transaction %s: debits %s, but allocations cover %s and outstanding debt is %s',
                           e.id, -e.amount, coalesce(c.amount, 0), coalesce(d.outstanding, 0))
FROM entries e
LEFT JOIN covered c ON c.wallet_id = e.wallet_id AND c.id = e.id
LEFT JOIN debts d ON d.wallet_id = e.wallet_id AND d.transaction_id = e.id
WHERE e.amount < 0 AND -e.amount <> coalesce(c.amount, 0) + coalesce(d.outstanding, 0)
UNION ALL
SELECT a.wallet_id, CASE
        WHEN t.id IS NULL OR s.id IS NULL THEN format('allocation of transaction %s from %s: refers to a missing transaction', a.transaction_id, a.source_transaction_id)
        ELSE format('allocation of transaction %s from %s: must draw a negative entry from a credit', a.transaction_id, a.source_transaction_id) END
FROM wallets.allocations a
LEFT JOIN entries t ON t.wallet_id = a.wallet_id AND t.id = a.transaction_id
LEFT JOIN entries s ON s.wallet_id = a.wallet_id AND s.id = a.source_transaction_id
WHERE a.wallet_id IN (SELECT id FROM scope) AND (t.id IS NULL OR s.id IS NULL OR t.amount > 0 OR s.amount < 0)
UNION ALL
SELECT a.wallet_id, format('transaction %s drew from bucket %s after it expired at %s', a.transaction_id, a.source_transaction_id, s.expires_at)
FROM wallets.allocations a
JOIN entries t ON t.wallet_id = a.wallet_id AND t.id = a.transaction_id
JOIN entries s ON s.wallet_id = a.wallet_id AND s.id = a.source_transaction_id
WHERE t.category <> 'expiration' AND t.hold_id IS NULL AND t.created_at >= s.expires_at AND t.id > s.id
UNION ALL
SELECT s.id, format('wallet %s: debt %s, but outstanding debits sum to %s', s.id, s.debt, coalesce(sum(d.outstanding), 0))
FROM scope s LEFT JOIN debts d ON d.wallet_id = s.id
GROUP BY s.id, s.debt HAVING s.debt <> coalesce(sum(d.outstanding), 0)
UNION ALL
SELECT s.id, format('wallet %s: ledger_balance %s, but bucket remainders %s minus debt %s is %s',
                    s.id, s.ledger_balance, coalesce(sum(b.remaining + b.held), 0), s.debt, coalesce(sum(b.remaining + b.held), 0) - s.debt)
FROM scope s LEFT JOIN wallets.bucket_state b ON b.wallet_id = s.id
GROUP BY s.id, s.ledger_balance, s.debt HAVING s.ledger_balance <> coalesce(sum(b.remaining + b.held), 0) - s.debt
UNION ALL
SELECT s.id, format('wallet %s: expiry_floor %s is later than its earliest expiring bucket or hold %s', s.id, s.expiry_floor, min(due.expires_at))
FROM scope s
JOIN (SELECT b.wallet_id, b.expires_at FROM wallets.bucket_state b WHERE b.remaining > 0 AND b.expires_at IS NOT NULL
      UNION ALL
      SELECT h.wallet_id, h.expires_at FROM holds h WHERE h.status = 'active') due ON due.wallet_id = s.id
GROUP BY s.id, s.expiry_floor HAVING s.expiry_floor IS NULL OR s.expiry_floor > min(due.expires_at)
UNION ALL
SELECT s.id, format('wallet %s: bucket %s has credits to draw but sorts before the draw_from key (%s, %s, %s)',
                    s.id, b.transaction_id, s.draw_from_priority, coalesce(s.draw_from_expiry::text, 'never'), s.draw_from_id)
FROM scope s
CROSS JOIN LATERAL (SELECT b.transaction_id FROM wallets.bucket_state b
                    WHERE b.wallet_id = s.id AND b.open
                      AND wallets._sorts_before(b.priority, b.expires_at, b.transaction_id,
                                                s.draw_from_priority, s.draw_from_expiry, s.draw_from_id)
                    ORDER BY b.priority, coalesce(b.expires_at, 'infinity'::timestamptz), b.transaction_id
                    LIMIT 1) b
UNION ALL
SELECT o.wallet_id, format('%s %s: wallet %s does not exist', o.kind, o.id, o.named_wallet_id)
FROM (SELECT 'transaction' AS kind, t.id, t.wallet_id, t.wallet_id AS named_wallet_id FROM wallets.transactions t
      UNION ALL
      SELECT 'hold', h.id, h.wallet_id, h.wallet_id FROM wallets.holds h
      UNION ALL
      SELECT 'transfer', x.id, x.from_wallet_id, named.id
      FROM wallets.transfers x CROSS JOIN LATERAL (VALUES (x.from_wallet_id), (x.to_wallet_id)) named (id)) o
-- No foreign keys into wallets (every write finds the wallet under its lock first): orphans here.
WHERE $1 IS NULL AND NOT EXISTS (SELECT FROM wallets.wallets w WHERE w.id = o.named_wallet_id)
UNION ALL
SELECT s.id, format('wallet %s: balance %s is negative but the wallet does not allow it', s.id, s.ledger_balance)
FROM scope s WHERE NOT s.allow_negative AND s.ledger_balance < 0
$$;

COMMENT ON FUNCTION wallets.check(bigint) IS
'Audit: recompute every derived figure (balance chain, bucket remainders and reservations, holds, transfer legs, reversals, debts, wallet caches incl. the draw_from key) from the append-only ledger and return one row per disagreement, for one wallet or all. Empty when consistent.';
REVOKE ALL ON FUNCTION wallets.check(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.check(bigint) TO wallets_app;
