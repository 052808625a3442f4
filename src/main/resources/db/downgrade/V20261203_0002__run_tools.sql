-- Downgrade of 20261203_0002 run_tools: undo exactly what the upgrade does.
-- Runs keep their steps; the selection of tools they were accepted with goes.

ALTER TABLE agent_run DROP COLUMN tool_selection;
