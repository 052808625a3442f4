-- Downgrade of 20261204_0101 run_event_kinds: undo exactly what the upgrade does.
-- The rows of tool calls and results go (a downgraded stream would send them as text).

DELETE FROM agent_run_delta WHERE kind <> 'text';
ALTER TABLE agent_run_delta DROP CONSTRAINT ck_agent_run_delta_kind;
ALTER TABLE agent_run_delta DROP COLUMN kind;
