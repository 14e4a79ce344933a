CREATE SCHEMA wallets;
COMMENT ON SCHEMA wallets IS 'pgwallets core ledger: wallets, append-only transactions, FIFO allocations over expiring buckets.';

GRANT USAGE ON SCHEMA wallets TO wallets_reader, wallets_app;
-- PostgreSQL grants EXECUTE on every new function to PUBLIC, and a per-schema ALTER DEFAULT
-- PRIVILEGES cannot take that global default back (it only adds to it). So every function file
-- revokes EXECUTE from PUBLIC itself, internal `_` functions included.
