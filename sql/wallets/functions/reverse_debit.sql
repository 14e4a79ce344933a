CREATE OR REPLACE FUNCTION wallets.reverse_debit(transaction_id bigint, amount bigint DEFAULT NULL, reason text DEFAULT NULL)
RETURNS SETOF wallets.transactions
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    as_of timestamptz := wallets.now();
    debited wallets.transactions := wallets._lock_transaction(reverse_debit.transaction_id);
    wallet wallets.wallets;
    covered bigint;
    reversed bigint;
    to_reverse bigint;
    already_skipped bigint;
    source record;
    take bigint;
    entry wallets.transactions;
BEGIN
    IF debited.amount > 0 OR debited.category IN ('expiration', 'transfer_out', 'void', 'expiry_change') THEN
        PERFORM wallets._fail('WL012', format('transaction %s on wallet %s (%s) is not a debit that can be reversed', debited.id, debited.wallet_id, debited.category),
                              jsonb_build_object('wallet_id', debited.wallet_id, 'transaction_id', debited.id, 'category', debited.category));
    END IF;
    -- What buckets gave the debit. A reversal credit of this very debit may have repaid part of
    -- its debt: that is not a bucket to give back to, or reversals would feed themselves.
    SELECT coalesce(sum(a.amount), 0) INTO covered FROM wallets.allocations a
    JOIN wallets.transactions s ON s.wallet_id = a.wallet_id AND s.id = a.source_transaction_id
    WHERE a.wallet_id = debited.wallet_id AND a.transaction_id = debited.id AND s.reversal_of IS DISTINCT FROM debited.id;
    SELECT coalesce(sum(t.amount), 0) INTO reversed FROM wallets.transactions t
    WHERE t.wallet_id = debited.wallet_id AND t.reversal_of = debited.id;
    to_reverse := coalesce(reverse_debit.amount, covered - reversed);
    -- Only what buckets gave can go back to them: an unpaid debt is not reversible.
    IF to_reverse IS NULL OR to_reverse <= 0 OR to_reverse > covered - reversed THEN
        PERFORM wallets._fail('WL003', format('debit %s on wallet %s: cannot reverse %s, %s of its %s are left to reverse',
                                              debited.id, debited.wallet_id, coalesce(to_reverse::text, 'NULL'), covered - reversed, -debited.amount),
                              jsonb_build_object('wallet_id', debited.wallet_id, 'transaction_id', debited.id, 'amount', to_reverse,
                                                 'reversible', covered - reversed));
    END IF;

    wallet := wallets._swept_wallet(debited.wallet_id, as_of);
    -- Back to the very buckets drawn, in allocation order (oldest bucket first), past what earlier
    -- reversals gave back; each reversal credit keeps its bucket's expiry and priority.
    already_skipped := reversed;
    FOR source IN
        SELECT a.source_transaction_id, a.amount, b.expires_at, b.priority
        FROM wallets.allocations a
        JOIN wallets.bucket_state b ON b.wallet_id = a.wallet_id AND b.transaction_id = a.source_transaction_id
        JOIN wallets.transactions s ON s.wallet_id = a.wallet_id AND s.id = a.source_transaction_id
        WHERE a.wallet_id = debited.wallet_id AND a.transaction_id = debited.id AND s.reversal_of IS DISTINCT FROM debited.id
        ORDER BY a.source_transaction_id
    LOOP
        take := least(source.amount - least(already_skipped, source.amount), to_reverse);
        already_skipped := already_skipped - least(already_skipped, source.amount);
        CONTINUE WHEN take = 0;
        entry := wallets._post_credit(wallet, take, 'reversal', source.expires_at, source.priority,
                                      jsonb_strip_nulls(jsonb_build_object('source_transaction_id', source.source_transaction_id,
                                                                           'reason', reverse_debit.reason)),
                                      as_of, NULL, NULL, debited.id);
        RETURN NEXT entry;
        to_reverse := to_reverse - take;
        SELECT * INTO wallet FROM wallets.wallets w WHERE w.id = debited.wallet_id;
        EXIT WHEN to_reverse = 0;
    END LOOP;
    -- Credits given back to buckets already past expiry expire now.
    PERFORM wallets._sweep_due(wallet, as_of);
    RETURN;
END
$$;

COMMENT ON FUNCTION wallets.reverse_debit(bigint, bigint, text) IS
'Give back all (amount NULL) or part of a debit to the buckets it drew from, as reversal credits keeping each bucket''s expiry and priority (already expired ones expire again at once). The total reversed never exceeds what buckets gave. Returns the reversal credits. Errors: WL003, WL012.';
REVOKE ALL ON FUNCTION wallets.reverse_debit(bigint, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.reverse_debit(bigint, bigint, text) TO wallets_app;
