-- 20261125_0004 api_roles_read_only: anon and authenticated may only read tables in public.
-- Supabase's default privileges give them ALL on every table the postgres login creates there.
-- RLS hides rows from SELECT and refuses INSERT, but UPDATE and DELETE with no policy quietly
-- match nothing, and TRUNCATE, REFERENCES, TRIGGER (and MAINTAIN, PostgreSQL 17) ignore RLS
-- altogether: only the backend writes, so the API roles keep SELECT (which RLS governs) alone.
-- Later revisions that create a table revoke the same for it (autogenerate writes that).
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public
    FROM anon, authenticated;
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 170000 THEN
        EXECUTE 'REVOKE MAINTAIN ON ALL TABLES IN SCHEMA public FROM anon, authenticated';
    END IF;
END
$$;
