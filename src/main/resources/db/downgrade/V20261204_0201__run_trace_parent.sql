-- Downgrade of 20261204_0201 run_trace_parent: undo exactly what the upgrade does.
-- Which trace each run belonged to is forgotten.

ALTER TABLE agent_run DROP COLUMN trace_parent;
