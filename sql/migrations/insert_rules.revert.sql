-- Undoes `insert_rules`: the triggers and their functions go, and the rules of transactions and
-- transfers become CHECK constraints again, calling the functions as `row_rules` deployed them
-- (their files were retired with this change, so they are written out here).
DROP TRIGGER transactions_entry_rules ON wallets.transactions;
DROP TRIGGER transfers_rules ON wallets.transfers;
DROP FUNCTION wallets._check_entry_rules();
DROP FUNCTION wallets._check_transfer_rules();
-- _check_wallet_identity's earlier copy, below, raises its error itself again.
DROP FUNCTION wallets._check_violation(text, text, text);

CREATE FUNCTION wallets._entry_is_sound(entry wallets.transactions)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    RETURN entry.amount <> 0
       AND entry.balance_after = entry.balance_before + entry.amount     -- the balance chain
       AND (entry.amount > 0) = (entry.priority IS NOT NULL)             -- credits, and only credits, have a priority
       AND (entry.priority IS NULL OR entry.priority BETWEEN 0 AND 100)
       AND (entry.amount > 0 OR entry.expires_at IS NULL);               -- only credits expire
END
$$;

COMMENT ON FUNCTION wallets._entry_is_sound(wallets.transactions) IS
'Internal: the CHECK rule of wallets.transactions (non-zero amount, balance chain, priority only and always on credits, expiry only on credits).';
REVOKE ALL ON FUNCTION wallets._entry_is_sound(wallets.transactions) FROM PUBLIC;

CREATE FUNCTION wallets._transfer_is_sound(transfer wallets.transfers)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    RETURN transfer.amount > 0
       AND transfer.from_wallet_id <> transfer.to_wallet_id
       AND transfer.expiration_policy IN ('preserve', 'none', 'fixed')
       AND (transfer.expiration_policy = 'fixed') = (transfer.expires_at IS NOT NULL);  -- only fixed sets the expiry
END
$$;

COMMENT ON FUNCTION wallets._transfer_is_sound(wallets.transfers) IS
'Internal: the CHECK rule of wallets.transfers (positive amount, two distinct wallets, known policy, expires_at exactly under fixed).';
REVOKE ALL ON FUNCTION wallets._transfer_is_sound(wallets.transfers) FROM PUBLIC;

ALTER TABLE wallets.transactions ADD CONSTRAINT transactions_entry_rules CHECK (wallets._entry_is_sound(transactions));
ALTER TABLE wallets.transfers ADD CONSTRAINT transfers_rules CHECK (wallets._transfer_is_sound(transfers));
