CREATE OR REPLACE FUNCTION wallets.transfer(from_wallet_id bigint, to_wallet_id bigint, amount bigint,
                                           category text DEFAULT 'transfer', expiration_policy text DEFAULT NULL,
                                           expires_at timestamptz DEFAULT NULL, metadata jsonb DEFAULT '{}',
                                           idempotency_key text DEFAULT NULL)
RETURNS wallets.transfers
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    as_of timestamptz := wallets.now();
    entry_metadata jsonb := coalesce(transfer.metadata, '{}');
    policy text := coalesce(transfer.expiration_policy, CASE WHEN transfer.expires_at IS NULL THEN 'preserve' ELSE 'fixed' END);
    pair record;
    first_locked bigint;
    sender wallets.wallets;
    receiver wallets.wallets;
    moved wallets.transfers;
    outbound wallets.transactions;
    leg record;
    legs_posted integer := 0;
    -- Takes _post_credit's result: an assignment is evaluated as a simple expression, where
    -- PERFORM would run the call as a query (6.6k instructions more per transfer).
    inbound wallets.transactions;
BEGIN
    IF wallets._entry_fault(transfer.amount, transfer.category, entry_metadata) IS NOT NULL THEN
        PERFORM wallets._raise(wallets._entry_problem(transfer.from_wallet_id, transfer.amount, transfer.category, entry_metadata));
    END IF;
    IF policy NOT IN ('preserve', 'none', 'fixed') THEN
        PERFORM wallets._fail('WL012', format('transfer from wallet %s: expiration_policy %L is not one of preserve, none, fixed',
                                              transfer.from_wallet_id, policy),
                              jsonb_build_object('wallet_id', transfer.from_wallet_id, 'argument', 'expiration_policy', 'value', policy));
    END IF;
    IF policy <> 'fixed' AND transfer.expires_at IS NOT NULL THEN
        PERFORM wallets._fail('WL005', format('transfer from wallet %s: policy %s takes no expires_at', transfer.from_wallet_id, policy),
                              jsonb_build_object('wallet_id', transfer.from_wallet_id, 'expiration_policy', policy, 'expires_at', transfer.expires_at));
    END IF;
    IF policy = 'fixed' AND transfer.expires_at IS NULL THEN
        PERFORM wallets._fail('WL005', format('transfer from wallet %s: policy fixed needs expires_at', transfer.from_wallet_id),
                              jsonb_build_object('wallet_id', transfer.from_wallet_id, 'expiration_policy', policy));
    END IF;
    IF transfer.from_wallet_id = transfer.to_wallet_id THEN
        PERFORM wallets._fail('WL004', format('wallet %s cannot transfer to itself', transfer.from_wallet_id),
                              jsonb_build_object('from_wallet_id', transfer.from_wallet_id, 'to_wallet_id', transfer.to_wallet_id));
    END IF;

    -- Both wallets' locks (see _lock_wallet.sql) in ascending id order, so opposite transfers
    -- between one pair never deadlock: one statement, whose target list is evaluated left to
    -- right. Then both rows in one read, a new statement that sees what earlier lock holders
    -- committed. Two statements instead of four (measured: 2 % of a transfer's instructions).
    PERFORM pg_catalog.pg_advisory_xact_lock(wallets._lock_key(least(transfer.from_wallet_id, transfer.to_wallet_id))),
            pg_catalog.pg_advisory_xact_lock(wallets._lock_key(greatest(transfer.from_wallet_id, transfer.to_wallet_id)));
    SELECT s AS sender, r AS receiver INTO pair
    FROM wallets.wallets s, wallets.wallets r
    WHERE s.id = transfer.from_wallet_id AND r.id = transfer.to_wallet_id;
    IF NOT FOUND THEN  -- name the first missing wallet in locking order
        first_locked := CASE WHEN transfer.from_wallet_id < transfer.to_wallet_id THEN transfer.from_wallet_id ELSE transfer.to_wallet_id END;
        PERFORM wallets._raise(wallets._no_wallet(
            CASE WHEN EXISTS (SELECT FROM wallets.wallets w WHERE w.id = first_locked)
                 THEN CASE WHEN first_locked = transfer.from_wallet_id THEN transfer.to_wallet_id ELSE transfer.from_wallet_id END
                 ELSE first_locked END));
    END IF;
    sender := pair.sender;
    receiver := pair.receiver;
    IF sender.asset <> receiver.asset THEN
        PERFORM wallets._fail('WL004', format('wallet %s holds %s and wallet %s holds %s: a transfer needs one asset',
                                              sender.id, sender.asset, receiver.id, receiver.asset),
                              jsonb_build_object('from_wallet_id', sender.id, 'to_wallet_id', receiver.id,
                                                 'from_asset', sender.asset, 'to_asset', receiver.asset));
    END IF;

    -- The key belongs to the sending wallet and is kept on the outbound leg.
    IF transfer.idempotency_key IS NOT NULL THEN
        SELECT t.* INTO moved FROM wallets.transactions o
        JOIN wallets.transfers t ON t.from_wallet_id = o.wallet_id AND t.id = o.transfer_id
        WHERE o.wallet_id = sender.id AND o.idempotency_key = transfer.idempotency_key;
        IF FOUND AND (moved.to_wallet_id, moved.amount, moved.category, moved.expiration_policy, moved.expires_at, moved.metadata)
                     IS NOT DISTINCT FROM (receiver.id, transfer.amount, transfer.category, policy, transfer.expires_at, entry_metadata) THEN
            RETURN moved;
        END IF;
        IF FOUND OR EXISTS (SELECT FROM wallets.transactions o WHERE o.wallet_id = sender.id AND o.idempotency_key = transfer.idempotency_key) THEN
            PERFORM wallets._fail('WL006',
                format('idempotency key %L on wallet %s was used with other arguments', transfer.idempotency_key, sender.id),
                jsonb_build_object('wallet_id', sender.id, 'idempotency_key', transfer.idempotency_key, 'transfer_id', moved.id));
        END IF;
    END IF;

    IF wallets._sweep_is_due(sender.expiry_floor, as_of) THEN
        sender := wallets._sweep_due(sender, as_of);
    END IF;
    IF wallets._sweep_is_due(receiver.expiry_floor, as_of) THEN
        receiver := wallets._sweep_due(receiver, as_of);
    END IF;
    IF policy = 'fixed' AND transfer.expires_at <= as_of THEN
        PERFORM wallets._fail('WL005', format('transfer from wallet %s expires at %s, not after now (%s)', sender.id, transfer.expires_at, as_of),
                              jsonb_build_object('wallet_id', sender.id, 'expires_at', transfer.expires_at, 'now', as_of));
    END IF;
    -- Never into debt, not even from an allow_negative wallet.
    IF sender.ledger_balance - sender.held < transfer.amount THEN
        PERFORM wallets._fail('WL001', format('wallet %s has %s available, cannot transfer %s to wallet %s',
                                              sender.id, sender.ledger_balance - sender.held, transfer.amount, receiver.id),
                              jsonb_build_object('wallet_id', sender.id, 'to_wallet_id', receiver.id, 'requested', transfer.amount,
                                                 'available', sender.ledger_balance - sender.held));
    END IF;

    INSERT INTO wallets.transfers (from_wallet_id, to_wallet_id, asset, amount, category, expiration_policy, expires_at, metadata, created_at)
    VALUES (sender.id, receiver.id, sender.asset, transfer.amount, transfer.category, policy, transfer.expires_at, entry_metadata, as_of)
    RETURNING * INTO moved;

    outbound := wallets._post_debit(sender, transfer.amount, 'transfer_out', entry_metadata, as_of, transfer.idempotency_key, moved.id);

    -- Inbound legs: under preserve, one per distinct expiry of the buckets drawn, in draw-down
    -- order, that is in the order of each group's first bucket by (priority, expires_at,
    -- transaction_id), which between groups (distinct expiries) the lowest priority, then the
    -- expiry decide. A sender none of whose credits expires (expiry_floor NULL) gives one
    -- never-expiring leg, as under none and fixed: no need to group what was drawn.
    IF policy = 'preserve' AND sender.expiry_floor IS NOT NULL THEN
        FOR leg IN
            SELECT b.expires_at, sum(a.amount)::bigint AS amount
            FROM wallets.allocations a
            JOIN wallets.bucket_state b ON b.wallet_id = a.wallet_id AND b.transaction_id = a.source_transaction_id
            WHERE a.wallet_id = sender.id AND a.transaction_id = outbound.id
            GROUP BY b.expires_at
            ORDER BY min(b.priority), b.expires_at
        LOOP
            IF legs_posted > 0 THEN  -- the previous leg moved the receiver's row on
                SELECT * INTO receiver FROM wallets.wallets w WHERE w.id = receiver.id;
            END IF;
            inbound := wallets._post_credit(receiver, leg.amount, 'transfer_in', leg.expires_at, 50, entry_metadata, as_of, NULL, moved.id);
            legs_posted := legs_posted + 1;
        END LOOP;
    ELSE
        inbound := wallets._post_credit(receiver, transfer.amount, 'transfer_in', transfer.expires_at, 50, entry_metadata, as_of, NULL, moved.id);
    END IF;
    RETURN moved;
END
$$;

COMMENT ON FUNCTION wallets.transfer(bigint, bigint, bigint, text, text, timestamptz, jsonb, text) IS
'Move credits between two wallets of one asset: a transfer_out leg drawn in draw-down order and transfer_in legs on the receiver, all carrying the transfer id. expiration_policy: preserve (default without expires_at; one inbound leg per distinct expiry drawn), none (never expires), fixed (default with expires_at). Never overdraws. Errors: WL001, WL002, WL003, WL004, WL005, WL006, WL012.';
REVOKE ALL ON FUNCTION wallets.transfer(bigint, bigint, bigint, text, text, timestamptz, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.transfer(bigint, bigint, bigint, text, text, timestamptz, jsonb, text) TO wallets_app;
