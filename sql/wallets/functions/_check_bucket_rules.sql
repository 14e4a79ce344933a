-- The rules every bucket obeys: remaining and held not negative, open exactly when remaining is
-- positive. Run by the trigger bucket_state_rules (triggers/bucket_rules.sql) after each insert or
-- update of a bucket, an AFTER row trigger for the reasons given in _check_wallet_rules.sql (a
-- debit, a hold and its capture each update a bucket). open is a plain column its writers set,
-- not a generated one: PostgreSQL parses a generated column's expression again for every
-- statement that writes the table, which cost each bucket write more than this whole rule. This
-- rule keeps it exact.
CREATE OR REPLACE FUNCTION wallets._check_bucket_rules()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT (NEW.remaining >= 0
            AND NEW.held >= 0
            AND NEW.open = (NEW.remaining > 0)) THEN  -- open: the bucket has credits to draw
        PERFORM wallets._check_violation('bucket_state', 'bucket_state_rules',
                                         pg_catalog.format('wallet %s, bucket %s: remaining %s, held %s, open %s', NEW.wallet_id,
                                                           NEW.transaction_id, NEW.remaining, NEW.held, NEW.open));
    END IF;
    RETURN NULL;  -- an AFTER trigger: the row is written already
END
$$;

COMMENT ON FUNCTION wallets._check_bucket_rules() IS
'Internal: trigger holding each written bucket to its rules (remaining and held not negative, open exactly when remaining is positive).';
REVOKE ALL ON FUNCTION wallets._check_bucket_rules() FROM PUBLIC;
