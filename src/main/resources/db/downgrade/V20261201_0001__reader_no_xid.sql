-- Downgrade of 20261201_0001 reader_no_xid: PUBLIC may call txid_current() and pg_current_xact_id()
-- again. A step the upgrade could not take is skipped here the same way.

DO $$
DECLARE
    fn regprocedure;
BEGIN
    FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace = 'pg_catalog'::regnamespace
                AND p.proname IN ('txid_current', 'pg_current_xact_id')
    LOOP
        BEGIN
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', fn);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING 'cannot grant % to PUBLIC as %', fn, current_user;
        END;
    END LOOP;
END
$$;
