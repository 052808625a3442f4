-- Downgrade of 20261126_0002 usage_estimated: undo exactly what the upgrade does.
-- Which runs' usage was estimated is forgotten.

ALTER TABLE agent_run DROP COLUMN usage_estimated;
