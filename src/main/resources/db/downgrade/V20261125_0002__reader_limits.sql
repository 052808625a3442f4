-- Downgrade of 20261125_0002 reader_limits: PUBLIC may call the functions again, and eryao_reader
-- loses its temp_file_limit and work_mem settings in this database. Steps the upgrade could not
-- take are skipped here the same way.

DO $$
DECLARE
    fn regprocedure;
BEGIN
    BEGIN
        EXECUTE format('ALTER ROLE eryao_reader IN DATABASE %I RESET work_mem', current_database());
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE WARNING 'cannot reset work_mem on eryao_reader as %', current_user;
    END;
    BEGIN
        EXECUTE format('ALTER ROLE eryao_reader IN DATABASE %I RESET temp_file_limit', current_database());
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE WARNING 'cannot reset temp_file_limit on eryao_reader as %', current_user;
    END;

    FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace = 'pg_catalog'::regnamespace
                AND p.proname IN ('pg_logical_emit_message', 'pg_advisory_lock', 'pg_advisory_lock_shared',
                                  'pg_try_advisory_lock', 'pg_try_advisory_lock_shared')
    LOOP
        BEGIN
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', fn);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING 'cannot grant % to PUBLIC as %', fn, current_user;
        END;
    END LOOP;
END
$$;
