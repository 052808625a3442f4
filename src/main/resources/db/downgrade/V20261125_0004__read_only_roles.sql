-- Downgrade of 20261125_0004 read_only_roles: undo exactly what the upgrade does, in reverse order.

-- Gives back what the upgrade took from the API roles, which is what the schema's default
-- privileges had granted them on each table (ALL on Supabase, nothing on a server without them),
-- SELECT aside (never taken). Flyway's history stays closed to them.
DO $$
DECLARE
    t record;
    p record;
BEGIN
    FOR t IN SELECT c.relname, c.relowner FROM pg_class c
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
               AND c.relname <> 'flyway_schema_history' LOOP
        FOR p IN SELECT r.rolname, a.privilege_type
                 FROM pg_default_acl d, aclexplode(d.defaclacl) a, pg_roles r
                 WHERE r.oid = a.grantee AND d.defaclrole = t.relowner AND d.defaclnamespace = 'public'::regnamespace
                   AND d.defaclobjtype = 'r' AND a.privilege_type <> 'SELECT'
                   AND r.rolname IN ('anon', 'authenticated') LOOP
            EXECUTE format('GRANT %s ON public.%I TO %I', p.privilege_type, t.relname, p.rolname);
        END LOOP;
    END LOOP;
END
$$;

DROP POLICY seed_data_history_reader ON seed_data_history;
DROP POLICY points_balance_reader ON points_balance;
DROP POLICY points_ledger_reader ON points_ledger;
DROP POLICY agent_run_reader ON agent_run;
DROP POLICY agent_chat_message_reader ON agent_chat_message;
DROP POLICY agent_chat_session_reader ON agent_chat_session;
DROP POLICY llms_reader ON llms;
DROP POLICY llm_factory_reader ON llm_factory;
