-- 20261125_0003 advisor_clean: what Supabase's advisor warned about on a fresh database.
-- auth_rls_initplan: the owner policies called auth.uid() once per row; wrapped in a scalar
-- subquery the planner evaluates it once per statement (an InitPlan), with the same meaning.
ALTER POLICY agent_chat_session_owner_read ON agent_chat_session
    USING (owner_id = (SELECT auth.uid()) AND deleted_at IS NULL);
ALTER POLICY agent_chat_message_owner_read ON agent_chat_message
    USING (owner_id = (SELECT auth.uid()) AND deleted_at IS NULL);
ALTER POLICY agent_run_owner_read ON agent_run
    USING (owner_id = (SELECT auth.uid()) AND deleted_at IS NULL);
ALTER POLICY points_ledger_owner_read ON points_ledger
    USING (owner_id = (SELECT auth.uid()));
ALTER POLICY points_balance_owner_read ON points_balance
    USING (owner_id = (SELECT auth.uid()));

-- function_search_path_mutable: the trigger function names nothing by schema, so an empty
-- search_path costs nothing and no caller's search_path can change what it resolves.
ALTER FUNCTION points_ledger_refuse_change() SET search_path = '';

-- unindexed_foreign_keys: deleting or re-keying a model scanned these tables whole.
CREATE INDEX ix_agent_chat_session_llm_id ON agent_chat_session (llm_id);
CREATE INDEX ix_agent_run_llm_id ON agent_run (llm_id);
