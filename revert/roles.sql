-- Revert pgwallets:roles from pg
-- Roles are cluster-wide: they are dropped only when no other database still uses them.
BEGIN;
DO $revert$
DECLARE
    role_name text;
BEGIN
    EXECUTE pg_catalog.format('REVOKE CREATE ON DATABASE %I FROM wallets_owner', pg_catalog.current_database());
    FOREACH role_name IN ARRAY ARRAY['wallets_app', 'wallets_reader', 'wallets_owner'] LOOP
        BEGIN
            EXECUTE pg_catalog.format('DROP ROLE IF EXISTS %I', role_name);
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE NOTICE 'role % is still used in another database; kept', role_name;
        END;
    END LOOP;
END
$revert$;
COMMIT;
