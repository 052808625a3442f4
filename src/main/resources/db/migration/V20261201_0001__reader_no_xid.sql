-- 20261201_0001 reader_no_xid: the data tools' reader (eryao_reader) cannot make its read-only
-- transaction take a transaction id.
--
-- txid_current() and pg_current_xact_id() assign the calling transaction an id if it has none,
-- even in a READ ONLY transaction, and a rollback does not give the id back: a loop of tool calls
-- would use up transaction ids (bringing wraparound nearer) that nothing else needed. They are
-- revoked from PUBLIC in this database, as 20261125_0002 does for WAL messages and session advisory
-- locks, so only superusers (and roles granted them later, by name) may call them. The application
-- itself never calls them, nor do Flyway, Hibernate or the driver, so no role gets them back.
-- txid_current_if_assigned() and pg_current_xact_id_if_assigned() stay: they report an id without
-- assigning one. The list is ReadOnlyAccess.ASSIGN_A_TRANSACTION_ID.
--
-- Only the functions' owner (a superuser) can revoke them. Migrations that run without that right
-- (Supabase's postgres) leave them with a WARNING, and the data tools then refuse to run until a
-- superuser does it (they already do there, for 20261125_0002).

DO $$
DECLARE
    fn regprocedure;
BEGIN
    FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace = 'pg_catalog'::regnamespace
                AND p.proname IN ('txid_current', 'pg_current_xact_id')
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
                 AND p.proname IN ('txid_current', 'pg_current_xact_id')) THEN
        RAISE WARNING 'PUBLIC may still call txid_current and pg_current_xact_id: only their owner can revoke'
            ' them, and % is not; the data tools refuse to run until a superuser applies this revision''s REVOKE',
            current_user;
    END IF;
END
$$;
