CREATE OR REPLACE FUNCTION wallets.set_expiry(transaction_id bigint, expires_at timestamptz)
RETURNS wallets.transactions
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    as_of timestamptz := wallets.now();
    credited wallets.transactions := wallets._lock_transaction(set_expiry.transaction_id);
    wallet wallets.wallets;
    bucket wallets.bucket_state;
    removed wallets.transactions;
BEGIN
    IF credited.amount < 0 THEN
        PERFORM wallets._fail('WL012', format('transaction %s on wallet %s is not a credit: only a credit has an expiry', credited.id, credited.wallet_id),
                              jsonb_build_object('wallet_id', credited.wallet_id, 'transaction_id', credited.id, 'argument', 'transaction_id'));
    END IF;
    IF set_expiry.expires_at <= as_of THEN
        PERFORM wallets._fail('WL005', format('credit %s on wallet %s cannot move to %s, not after now (%s)', credited.id, credited.wallet_id, set_expiry.expires_at, as_of),
                              jsonb_build_object('wallet_id', credited.wallet_id, 'transaction_id', credited.id, 'expires_at', set_expiry.expires_at, 'now', as_of));
    END IF;
    wallet := wallets._swept_wallet(credited.wallet_id, as_of);
    SELECT * INTO bucket FROM wallets.bucket_state b WHERE b.wallet_id = credited.wallet_id AND b.transaction_id = credited.id;
    IF bucket.remaining = 0 THEN
        PERFORM wallets._fail('WL012', format('credit %s on wallet %s has nothing left to move', credited.id, credited.wallet_id),
                              jsonb_build_object('wallet_id', credited.wallet_id, 'transaction_id', credited.id, 'remaining', 0));
    END IF;

    -- An entry pair, never an edit: the remainder leaves the old bucket and opens a new one.
    removed := wallets._remove_from_bucket(wallet.id, wallet.ledger_balance, credited.id, bucket.remaining, 'expiry_change',
                                           jsonb_build_object('to_expires_at', set_expiry.expires_at), as_of);
    wallet.ledger_balance := removed.balance_after;
    RETURN wallets._post_credit(wallet, bucket.remaining, 'expiry_change', set_expiry.expires_at, bucket.priority,
                                jsonb_build_object('from_transaction_id', credited.id), as_of);
END
$$;

COMMENT ON FUNCTION wallets.set_expiry(bigint, timestamptz) IS
'Move what is left of a credit to a new expiry (NULL: never) as an entry pair of category expiry_change: a debit from the old bucket and a credit opening a new one with the same priority. Returns the new credit. Errors: WL005, WL012.';
REVOKE ALL ON FUNCTION wallets.set_expiry(bigint, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.set_expiry(bigint, timestamptz) TO wallets_app;
