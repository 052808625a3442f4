-- Downgrade of 20260411_0002 agent_chat_schema.
DROP TABLE agent_run;
DROP TABLE agent_chat_message;
DROP TABLE agent_chat_session;
