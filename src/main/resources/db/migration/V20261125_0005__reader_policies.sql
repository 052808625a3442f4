-- 20261125_0005 reader_policies: eryao_reader reads every table through a policy of its own.
-- Where the migrating login could give the reader BYPASSRLS (a superuser; PostgreSQL 16+ with a
-- login that has it, as Supabase's postgres on 17) these change nothing. Where it could not
-- (Supabase's postgres on PostgreSQL 15: only a superuser may create BYPASSRLS roles) the reader
-- is created without it before revision 20261124_0002 runs, and these are how it sees the rows.
-- SELECT only, to eryao_reader only: no other role's access changes, and each table keeps one
-- permissive policy per role and action. Every new table in public gets one too.
CREATE POLICY llm_factory_reader ON llm_factory FOR SELECT TO eryao_reader USING (true);
CREATE POLICY llms_reader ON llms FOR SELECT TO eryao_reader USING (true);
CREATE POLICY agent_chat_session_reader ON agent_chat_session FOR SELECT TO eryao_reader USING (true);
CREATE POLICY agent_chat_message_reader ON agent_chat_message FOR SELECT TO eryao_reader USING (true);
CREATE POLICY agent_run_reader ON agent_run FOR SELECT TO eryao_reader USING (true);
CREATE POLICY points_ledger_reader ON points_ledger FOR SELECT TO eryao_reader USING (true);
CREATE POLICY points_balance_reader ON points_balance FOR SELECT TO eryao_reader USING (true);
CREATE POLICY seed_data_history_reader ON seed_data_history FOR SELECT TO eryao_reader USING (true);
