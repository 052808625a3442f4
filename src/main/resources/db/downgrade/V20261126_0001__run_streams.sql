-- Downgrade of 20261126_0001 run_streams: undo exactly what the upgrade does, in reverse order.
-- The streamed pieces go with their table; stopped answers stay as ordinary assistant messages.

ALTER TABLE agent_run_delta DROP CONSTRAINT fk_agent_run_delta_run_id;

DROP INDEX ix_agent_run_delta_run_id_attempt_delta_index;

ALTER TABLE agent_run DROP COLUMN cancel_requested_at;

ALTER TABLE agent_chat_message DROP COLUMN stopped;

DROP TABLE agent_run_delta;
