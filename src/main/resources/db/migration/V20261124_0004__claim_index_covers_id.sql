-- 20261124_0004 claim_index_covers_id: claim index covers id
-- Upgrade. Runs in one transaction. Every new table in public needs
-- ALTER TABLE ... ENABLE ROW LEVEL SECURITY; indexes are named ix_<table>_<columns>.
-- Written by `eryao revision --autogenerate`: review every statement, above all those marked REVIEW.

DROP INDEX ix_agent_run_scheduled_at;

CREATE INDEX ix_agent_run_scheduled_at_id ON agent_run (scheduled_at, id) WHERE status::text = 'queued'::text AND deleted_at IS NULL;
