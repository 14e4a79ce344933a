-- The rules every ledger entry obeys: non-zero amount, the balance chain, a priority on credits
-- only (0 to 100), an expiry on credits only. Run by the trigger transactions_entry_rules
-- (triggers/entry_rules.sql) as each entry is inserted; an entry is never updated
-- (transactions_append_only), so the insert is the only write to check. A BEFORE INSERT trigger
-- rather than a CHECK constraint: PostgreSQL parses and plans a table's CHECK expressions again
-- for every statement that writes the table, which cost each inserted entry 12k instructions
-- more than this call (issue 4's note, docs/scaling.md). It raises what the CHECK raised
-- (_check_violation), as _check_wallet_identity does for wallets.
-- A rule that comes out NULL passes, as in a CHECK; the NOT NULL constraints run after it.
CREATE OR REPLACE FUNCTION wallets._check_entry_rules()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT (NEW.amount <> 0
            AND NEW.balance_after = NEW.balance_before + NEW.amount      -- the balance chain
            AND (NEW.amount > 0) = (NEW.priority IS NOT NULL)            -- credits, and only credits, have a priority
            AND (NEW.priority IS NULL OR NEW.priority BETWEEN 0 AND 100)
            AND (NEW.amount > 0 OR NEW.expires_at IS NULL)) THEN         -- only credits expire
        PERFORM wallets._check_violation('transactions', 'transactions_entry_rules',
                                         pg_catalog.format('wallet %s: amount %s, balance %s -> %s, priority %s, expires_at %s', NEW.wallet_id,
                                                           NEW.amount, NEW.balance_before, NEW.balance_after, NEW.priority, NEW.expires_at));
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION wallets._check_entry_rules() IS
'Internal: trigger holding each new ledger entry to its rules (non-zero amount, balance chain, priority only and always on credits, expiry only on credits).';
REVOKE ALL ON FUNCTION wallets._check_entry_rules() FROM PUBLIC;
