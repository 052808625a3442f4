-- 20261203_0002 run_tools: which registered tools a run's model may call (a JSON list of names:
-- a registered MCP server's, or <server>__<tool>), as the run was accepted with them; resolved
-- again when the run is claimed.
-- Upgrade. Runs in one transaction. Written by `eryao revision --autogenerate`, then reviewed.

ALTER TABLE agent_run ADD COLUMN tool_selection text;
