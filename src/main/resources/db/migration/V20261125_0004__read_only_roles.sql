-- 20261125_0004 read_only_roles: eryao_reader reads every table through a policy of its own, and
-- Supabase's API roles (anon, authenticated) may only read tables in public.

-- The reader. Where the migrating login could give it BYPASSRLS (a superuser; on PostgreSQL 16+
-- a login that has BYPASSRLS itself, as Supabase's postgres on 17) these policies change nothing.
-- Where it could not (Supabase's postgres on PostgreSQL 15: only a superuser may create BYPASSRLS
-- roles) the reader is created without it before revision 20261124_0002 runs (Migrations), and
-- these are how it sees the rows. SELECT only, to eryao_reader only: no other role's access
-- changes, and each table keeps one permissive policy per role and action. Every new table in
-- public gets one too (autogenerate writes it).
CREATE POLICY llm_factory_reader ON llm_factory FOR SELECT TO eryao_reader USING (true);
CREATE POLICY llms_reader ON llms FOR SELECT TO eryao_reader USING (true);
CREATE POLICY agent_chat_session_reader ON agent_chat_session FOR SELECT TO eryao_reader USING (true);
CREATE POLICY agent_chat_message_reader ON agent_chat_message FOR SELECT TO eryao_reader USING (true);
CREATE POLICY agent_run_reader ON agent_run FOR SELECT TO eryao_reader USING (true);
CREATE POLICY points_ledger_reader ON points_ledger FOR SELECT TO eryao_reader USING (true);
CREATE POLICY points_balance_reader ON points_balance FOR SELECT TO eryao_reader USING (true);
CREATE POLICY seed_data_history_reader ON seed_data_history FOR SELECT TO eryao_reader USING (true);

-- The API roles. Supabase's default privileges give them ALL on every table the postgres login
-- creates in public. RLS hides rows from SELECT and refuses INSERT, but UPDATE and DELETE with no
-- policy quietly match nothing, and TRUNCATE, REFERENCES, TRIGGER (and MAINTAIN, PostgreSQL 17)
-- ignore RLS altogether: only the backend writes, so they keep SELECT (which RLS governs) alone.
-- On a server without Supabase's default privileges they hold none of these and nothing changes.
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
