-- 20261124_0003 agent_run_usage: what a finished run used and was charged (written by autogenerate).
-- Upgrade. Runs in one transaction. Every new table in public needs
-- ALTER TABLE ... ENABLE ROW LEVEL SECURITY; indexes are named ix_<table>_<columns>.
-- Written by `eryao revision --autogenerate`: review every statement, above all those marked REVIEW.

ALTER TABLE agent_run ADD COLUMN charge_capped boolean NOT NULL DEFAULT false;

ALTER TABLE agent_run ADD COLUMN charged_points bigint;

ALTER TABLE agent_run ADD COLUMN cost_points bigint;

ALTER TABLE agent_run ADD COLUMN input_tokens integer;

ALTER TABLE agent_run ADD COLUMN output_tokens integer;
