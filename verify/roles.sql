-- Verify pgwallets:roles on pg
DO $verify$
BEGIN
    IF (SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname IN ('wallets_owner', 'wallets_reader', 'wallets_app')) <> 3 THEN
        RAISE EXCEPTION 'pgwallets roles are missing';
    END IF;
    IF NOT pg_catalog.pg_has_role('wallets_app', 'wallets_reader', 'MEMBER') THEN
        RAISE EXCEPTION 'wallets_app is not a member of wallets_reader';
    END IF;
END
$verify$;
