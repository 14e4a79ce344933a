-- Cluster-wide roles. Idempotent: several databases of one cluster may hold pgwallets.
--   wallets_owner  owns every object; NOLOGIN, so SECURITY DEFINER functions never run as a superuser.
--   wallets_reader may read the views.
--   wallets_app    may also execute the public functions; grant it to the application's login role.
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'wallets_owner') THEN
        CREATE ROLE wallets_owner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'wallets_reader') THEN
        CREATE ROLE wallets_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'wallets_app') THEN
        CREATE ROLE wallets_app NOLOGIN;
    END IF;
    IF NOT pg_catalog.pg_has_role('wallets_app', 'wallets_reader', 'MEMBER') THEN
        GRANT wallets_reader TO wallets_app;
    END IF;
    -- The owner creates the schema in this database.
    EXECUTE pg_catalog.format('GRANT CREATE ON DATABASE %I TO wallets_owner', pg_catalog.current_database());
END
$roles$;
