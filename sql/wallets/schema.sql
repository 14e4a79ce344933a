CREATE SCHEMA wallets;
COMMENT ON SCHEMA wallets IS 'pgwallets core ledger: wallets, append-only transactions, FIFO allocations over expiring buckets.';

GRANT USAGE ON SCHEMA wallets TO wallets_reader, wallets_app;
-- Functions created later in this schema are not executable by PUBLIC unless granted explicitly.
ALTER DEFAULT PRIVILEGES IN SCHEMA wallets REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
