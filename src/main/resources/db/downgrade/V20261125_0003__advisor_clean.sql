-- Downgrade of 20261125_0003 advisor_clean: undo exactly what the upgrade does, in reverse order.
DROP INDEX ix_agent_run_llm_id;
DROP INDEX ix_agent_chat_session_llm_id;

ALTER FUNCTION points_ledger_refuse_change() RESET search_path;

ALTER POLICY points_balance_owner_read ON points_balance
    USING (owner_id = auth.uid());
ALTER POLICY points_ledger_owner_read ON points_ledger
    USING (owner_id = auth.uid());
ALTER POLICY agent_run_owner_read ON agent_run
    USING (owner_id = auth.uid() AND deleted_at IS NULL);
ALTER POLICY agent_chat_message_owner_read ON agent_chat_message
    USING (owner_id = auth.uid() AND deleted_at IS NULL);
ALTER POLICY agent_chat_session_owner_read ON agent_chat_session
    USING (owner_id = auth.uid() AND deleted_at IS NULL);
