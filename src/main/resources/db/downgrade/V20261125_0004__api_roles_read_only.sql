-- Downgrade of 20261125_0004 api_roles_read_only: gives back what the upgrade took, which is
-- what the schema's default privileges had granted the API roles on each table (ALL on Supabase,
-- nothing on a server without them), SELECT aside (never taken). Flyway's history stays closed.
DO $$
DECLARE
    t record;
    p record;
BEGIN
    FOR t IN SELECT c.relname, c.relowner FROM pg_class c
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
               AND c.relname <> 'flyway_schema_history' LOOP
        FOR p IN SELECT a.grantee::regrole::text AS grantee, a.privilege_type
                 FROM pg_default_acl d, aclexplode(d.defaclacl) a
                 WHERE d.defaclrole = t.relowner AND d.defaclnamespace = 'public'::regnamespace
                   AND d.defaclobjtype = 'r' AND a.privilege_type <> 'SELECT'
                   AND a.grantee IN (SELECT oid FROM pg_roles WHERE rolname IN ('anon', 'authenticated')) LOOP
            EXECUTE format('GRANT %s ON public.%I TO %I', p.privilege_type, t.relname, p.grantee);
        END LOOP;
    END LOOP;
END
$$;
