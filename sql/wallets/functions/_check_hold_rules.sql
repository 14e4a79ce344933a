-- The rules every hold obeys: positive amount, known status, captured amount within the hold and
-- only on a capture, closed_at exactly when ended. Run by the trigger holds_rules
-- (triggers/hold_rules.sql) after each insert or update of a hold, an AFTER row trigger for the
-- reasons given in _check_wallet_rules.sql (a hold is inserted, then updated by its capture or
-- release).
CREATE OR REPLACE FUNCTION wallets._check_hold_rules()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT (NEW.amount > 0
            AND NEW.status IN ('active', 'captured', 'released', 'expired')
            AND NEW.captured_amount BETWEEN 0 AND NEW.amount
            AND (NEW.status = 'captured' OR NEW.captured_amount = 0)   -- only a capture takes anything
            AND (NEW.status = 'active') = (NEW.closed_at IS NULL)) THEN -- an ended hold has its end time
        PERFORM wallets._check_violation('holds', 'holds_rules',
                                         pg_catalog.format('hold %s of wallet %s: amount %s, status %s, captured_amount %s, closed_at %s',
                                                           NEW.id, NEW.wallet_id, NEW.amount, NEW.status, NEW.captured_amount, NEW.closed_at));
    END IF;
    RETURN NULL;  -- an AFTER trigger: the row is written already
END
$$;

COMMENT ON FUNCTION wallets._check_hold_rules() IS
'Internal: trigger holding each written hold to its rules (positive amount, known status, captured amount within the hold and only on a capture, closed_at exactly when ended).';
REVOKE ALL ON FUNCTION wallets._check_hold_rules() FROM PUBLIC;
