-- Live figures of every wallet at wallets.now(). Buckets past expiry stop counting and holds
-- past expiry stop holding at that instant, before any sweep posts or settles them; the
-- subqueries run only for a wallet whose expiry_floor has passed, so a read costs one row. Sums are
-- cast back to bigint: the figures are bigint like every amount (sum(bigint) alone is numeric).
CREATE OR REPLACE VIEW wallets.balances AS
SELECT
    w.id AS wallet_id,
    w.owner,
    w.asset,
    w.ledger_balance - lapsed.free_remaining - (lapsed.hold_amount - lapsed.hold_returning) AS posted,
    w.held - lapsed.hold_amount AS held,
    w.ledger_balance - w.held - lapsed.free_remaining + lapsed.hold_returning AS available
FROM wallets.wallets w
CROSS JOIN LATERAL (
    SELECT
        CASE WHEN w.expiry_floor <= wallets.now() THEN
            coalesce((SELECT sum(b.remaining)::bigint FROM wallets.bucket_state b
                      WHERE b.wallet_id = w.id AND b.open AND b.expires_at <= wallets.now()), 0)
        ELSE 0 END AS free_remaining,
        CASE WHEN w.expiry_floor <= wallets.now() THEN
            coalesce((SELECT sum(h.amount)::bigint FROM wallets.holds h
                      WHERE h.wallet_id = w.id AND h.status = 'active' AND h.expires_at <= wallets.now()), 0)
        ELSE 0 END AS hold_amount,
        -- What lapsed holds give back to buckets still live.
        CASE WHEN w.expiry_floor <= wallets.now() THEN
            coalesce((SELECT sum(r.amount)::bigint FROM wallets.holds h
                      JOIN wallets.hold_allocations r ON r.wallet_id = h.wallet_id AND r.hold_id = h.id
                      JOIN wallets.bucket_state b ON b.wallet_id = r.wallet_id AND b.transaction_id = r.source_transaction_id
                      WHERE h.wallet_id = w.id AND h.status = 'active' AND h.expires_at <= wallets.now()
                        AND (b.expires_at IS NULL OR b.expires_at > wallets.now())), 0)
        ELSE 0 END AS hold_returning
) lapsed;

COMMENT ON VIEW wallets.balances IS
'Per wallet at wallets.now(): posted (credits minus debits still live), held (reserved by active holds), available (posted minus held, = wallets.balance()).';
GRANT SELECT ON wallets.balances TO wallets_reader;
