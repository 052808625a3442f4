-- Downgrade of 20261202_0001 conversations: undo exactly what the upgrade does, in reverse order.
-- Branches are lost: every message stays in its session, read oldest first as before.

DROP TRIGGER agent_run_announce_insert ON agent_run;
DROP FUNCTION agent_run_announce_insert();

DROP INDEX ix_agent_run_session_id_status_created_at_id;
DROP INDEX ix_agent_run_session_id_created_at_id;
CREATE INDEX ix_agent_run_session_id ON agent_run (session_id);

DROP INDEX ix_agent_run_question_id;
DROP INDEX ix_agent_chat_message_run_id;
DROP INDEX ix_agent_chat_message_parent_id;

ALTER TABLE agent_run DROP CONSTRAINT fk_agent_run_question_id;
ALTER TABLE agent_chat_message DROP CONSTRAINT fk_agent_chat_message_run_id;
ALTER TABLE agent_chat_message DROP CONSTRAINT fk_agent_chat_message_parent_id;

ALTER TABLE agent_run DROP COLUMN question_id;
ALTER TABLE agent_chat_message DROP COLUMN run_id;
ALTER TABLE agent_chat_message DROP COLUMN parent_id;
