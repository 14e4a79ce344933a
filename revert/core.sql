-- Revert pgwallets:core from pg
BEGIN;
DROP SCHEMA wallets CASCADE;
COMMIT;
