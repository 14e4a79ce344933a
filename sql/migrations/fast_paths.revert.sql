-- Undoes `fast_paths`; the earlier copies of the functions and views it replaced follow.
ALTER TABLE wallets.transactions
    DROP CONSTRAINT transactions_entry_rules,
    ADD CONSTRAINT transactions_amount_check CHECK (amount <> 0),
    ADD CONSTRAINT transactions_priority_check CHECK (priority BETWEEN 0 AND 100),
    ADD CONSTRAINT transactions_check CHECK (balance_after = balance_before + amount),
    ADD CONSTRAINT transactions_check1 CHECK ((amount > 0) = (priority IS NOT NULL)),
    ADD CONSTRAINT transactions_check2 CHECK (amount > 0 OR expires_at IS NULL);
DROP FUNCTION wallets._entry_is_sound(bigint, integer, timestamptz, bigint, bigint);

ALTER TABLE wallets.holds
    DROP CONSTRAINT holds_rules,
    ADD CONSTRAINT holds_amount_check CHECK (amount > 0),
    ADD CONSTRAINT holds_status_check CHECK (status IN ('active', 'captured', 'released', 'expired')),
    ADD CONSTRAINT holds_captured_amount CHECK (captured_amount BETWEEN 0 AND amount AND (status = 'captured' OR captured_amount = 0)),
    ADD CONSTRAINT holds_closed_at CHECK ((status = 'active') = (closed_at IS NULL));
DROP FUNCTION wallets._hold_is_sound(bigint, text, bigint, timestamptz);

ALTER TABLE wallets.transfers
    DROP CONSTRAINT transfers_rules,
    ADD CONSTRAINT transfers_amount_check CHECK (amount > 0),
    ADD CONSTRAINT transfers_expiration_policy_check CHECK (expiration_policy IN ('preserve', 'none', 'fixed')),
    ADD CONSTRAINT transfers_distinct_wallets CHECK (from_wallet_id <> to_wallet_id),
    ADD CONSTRAINT transfers_fixed_expiry CHECK ((expiration_policy = 'fixed') = (expires_at IS NOT NULL));
DROP FUNCTION wallets._transfer_is_sound(bigint, bigint, bigint, text, timestamptz);

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
