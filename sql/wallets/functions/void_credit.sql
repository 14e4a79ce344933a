CREATE OR REPLACE FUNCTION wallets.void_credit(transaction_id bigint, reason text DEFAULT NULL)
RETURNS wallets.transactions
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    as_of timestamptz := wallets.now();
    credited wallets.transactions := wallets._lock_transaction(void_credit.transaction_id);
    wallet wallets.wallets;
    left_over bigint;
    entry wallets.transactions;
BEGIN
    IF credited.amount < 0 THEN
        PERFORM wallets._fail('WL012', format('transaction %s on wallet %s is not a credit: only a credit can be voided', credited.id, credited.wallet_id),
                              jsonb_build_object('wallet_id', credited.wallet_id, 'transaction_id', credited.id, 'argument', 'transaction_id'));
    END IF;
    wallet := wallets._swept_wallet(credited.wallet_id, as_of);
    SELECT b.remaining INTO left_over FROM wallets.bucket_state b WHERE b.wallet_id = credited.wallet_id AND b.transaction_id = credited.id;
    IF left_over = 0 THEN
        PERFORM wallets._fail('WL012', format('credit %s on wallet %s has nothing left to void', credited.id, credited.wallet_id),
                              jsonb_build_object('wallet_id', credited.wallet_id, 'transaction_id', credited.id, 'remaining', 0));
    END IF;

    entry := wallets._remove_from_bucket(wallet.id, wallet.ledger_balance, credited.id, left_over, 'void',
                                         jsonb_strip_nulls(jsonb_build_object('voided_transaction_id', credited.id, 'reason', void_credit.reason)), as_of);
    UPDATE wallets.wallets SET ledger_balance = entry.balance_after WHERE id = wallet.id;
    RETURN entry;
END
$$;

COMMENT ON FUNCTION wallets.void_credit(bigint, text) IS
'Cancel what is left of a credit now (credits reserved by a hold stay with the hold): a void entry allocated against the bucket. Errors: WL012 (a debit, or nothing left).';
REVOKE ALL ON FUNCTION wallets.void_credit(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wallets.void_credit(bigint, text) TO wallets_app;
