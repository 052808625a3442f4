-- Downgrade of 20261124_0003 agent_run_usage: undo exactly what the upgrade does, in reverse order.
-- While this file holds only comments, `eryao downgrade` refuses to pass this revision.

ALTER TABLE agent_run DROP COLUMN output_tokens;

ALTER TABLE agent_run DROP COLUMN input_tokens;

ALTER TABLE agent_run DROP COLUMN cost_points;

ALTER TABLE agent_run DROP COLUMN charged_points;

ALTER TABLE agent_run DROP COLUMN charge_capped;
