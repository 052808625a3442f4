-- Downgrade of 20261125_0005 reader_policies: undo exactly what the upgrade does, in reverse order.
DROP POLICY seed_data_history_reader ON seed_data_history;
DROP POLICY points_balance_reader ON points_balance;
DROP POLICY points_ledger_reader ON points_ledger;
DROP POLICY agent_run_reader ON agent_run;
DROP POLICY agent_chat_message_reader ON agent_chat_message;
DROP POLICY agent_chat_session_reader ON agent_chat_session;
DROP POLICY llms_reader ON llms;
DROP POLICY llm_factory_reader ON llm_factory;
