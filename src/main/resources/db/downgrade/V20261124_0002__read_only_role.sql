-- Downgrade of 20261124_0002 read_only_role: takes back every privilege the upgrade granted in this
-- database, then drops eryao_reader unless another database on this server still grants it
-- something (roles are server-wide; that database's own downgrade drops it later).
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM eryao_reader;
REVOKE SELECT ON ALL TABLES IN SCHEMA public FROM eryao_reader;
REVOKE USAGE ON SCHEMA public FROM eryao_reader;

DO $$
BEGIN
    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM eryao_reader', current_database());
    BEGIN
        DROP ROLE eryao_reader;
    EXCEPTION WHEN dependent_objects_still_exist THEN
        RAISE NOTICE 'eryao_reader kept: another database on this server still grants it privileges';
    END;
END
$$;
