-- Undoes `fast_paths`; the earlier copies of the functions and views it replaced follow.
ALTER TABLE wallets.transactions
    DROP CONSTRAINT transactions_entry_rules,
    ADD CONSTRAINT transactions_amount_check CHECK (amount <> 0),
    ADD CONSTRAINT transactions_priority_check CHECK (priority BETWEEN 0 AND 100),
    ADD CONSTRAINT transactions_check CHECK (balance_after = balance_before + amount),
    ADD CONSTRAINT transactions_check1 CHECK ((amount > 0) = (priority IS NOT NULL)),
    ADD CONSTRAINT transactions_check2 CHECK (amount > 0 OR expires_at IS NULL);
DROP FUNCTION wallets._entry_is_sound(bigint, integer, timestamptz, bigint, bigint);

DROP TRIGGER wallets_identity ON wallets.wallets;
DROP FUNCTION wallets._check_wallet_identity();
ALTER TABLE wallets.wallets
    ADD CONSTRAINT wallets_owner_check CHECK (owner <> ''),
    ADD CONSTRAINT wallets_asset_check CHECK (asset ~ '^[a-z][a-z0-9_]{0,63}$'),
    ADD CONSTRAINT wallets_metadata_check CHECK (jsonb_typeof(metadata) = 'object');

ALTER TABLE wallets.holds ADD CONSTRAINT holds_wallet_id_fkey FOREIGN KEY (wallet_id) REFERENCES wallets.wallets (id);
ALTER TABLE wallets.transfers
    ADD CONSTRAINT transfers_from_wallet_id_fkey FOREIGN KEY (from_wallet_id) REFERENCES wallets.wallets (id),
    ADD CONSTRAINT transfers_to_wallet_id_fkey FOREIGN KEY (to_wallet_id) REFERENCES wallets.wallets (id);

CREATE FUNCTION wallets._validate_entry(wallet_id bigint, amount bigint, category text, metadata jsonb)
RETURNS void
LANGUAGE sql
AS $$
    SELECT wallets._raise(wallets._entry_problem(wallet_id, amount, category, metadata))
$$;
COMMENT ON FUNCTION wallets._validate_entry(bigint, bigint, text, jsonb) IS 'Internal: validate amount, category and metadata of a ledger write.';
REVOKE ALL ON FUNCTION wallets._validate_entry(bigint, bigint, text, jsonb) FROM PUBLIC;
