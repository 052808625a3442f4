-- 20261125_0002 reader_limits: what a rollback does not undo, taken from eryao_reader (the login of
-- bin/eryao sql, tables and mcp), and bounds on what one of its queries may use.
--
-- Functions every role may call by default, whose effect outlives the tools' rolled-back
-- transaction: WAL messages (the record stays in the WAL, and replication slots keep it) and
-- session-level advisory locks (held past the transaction; behind a transaction pooler, past the
-- connection too). They are revoked from PUBLIC in this database, so only superusers (and roles
-- granted them later, by name) may call them. Transaction-level advisory locks stay: they end with
-- the transaction, like the lock any SELECT takes. The list is ReadOnlyAccess.OUTSIDE_THE_TRANSACTION.
--
-- Only a function's owner (a superuser, for these) can revoke it, and only a superuser can set
-- temp_file_limit. Migrations that run without those rights (Supabase's postgres) leave both
-- undone with a WARNING, and the tools then refuse to run until a superuser does it.

DO $$
DECLARE
    fn regprocedure;
BEGIN
    FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace = 'pg_catalog'::regnamespace
                AND p.proname IN ('pg_logical_emit_message', 'pg_advisory_lock', 'pg_advisory_lock_shared',
                                  'pg_try_advisory_lock', 'pg_try_advisory_lock_shared')
    LOOP
        BEGIN
            -- A role that is not the owner gets a WARNING here (or this error, where PUBLIC no longer has it).
            EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', fn);
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;
        END;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
               WHERE p.pronamespace = 'pg_catalog'::regnamespace AND a.grantee = 0
                 AND p.proname IN ('pg_logical_emit_message', 'pg_advisory_lock', 'pg_advisory_lock_shared',
                                   'pg_try_advisory_lock', 'pg_try_advisory_lock_shared')) THEN
        RAISE WARNING 'PUBLIC may still call pg_logical_emit_message and the session-level advisory locks: only'
            ' their owner can revoke them, and % is not; the data tools refuse to run until a superuser applies'
            ' this revision''s REVOKE', current_user;
    END IF;

    -- A sort or hash that spills stops at 256MB of temporary files; work_mem bounds the memory it
    -- uses first (a query can raise work_mem for itself; it cannot raise temp_file_limit). Set for
    -- this database only, as everything a revision does: the role is shared by every database on
    -- the server, and another database's downgrade must not take the bound away here.
    BEGIN
        EXECUTE format('ALTER ROLE eryao_reader IN DATABASE %I SET temp_file_limit = %L', current_database(), '256MB');
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE WARNING 'cannot set temp_file_limit on eryao_reader as %: the data tools refuse to run until a'
            ' superuser runs ALTER ROLE eryao_reader IN DATABASE % SET temp_file_limit = ''256MB''',
            current_user, current_database();
    END;
    BEGIN
        EXECUTE format('ALTER ROLE eryao_reader IN DATABASE %I SET work_mem = %L', current_database(), '16MB');
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE WARNING 'cannot set work_mem on eryao_reader as %: the tools still set it in each transaction',
            current_user;
    END;
END
$$;
