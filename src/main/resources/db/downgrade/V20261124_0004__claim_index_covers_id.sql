-- Downgrade of 20261124_0004 claim_index_covers_id: undo exactly what the upgrade does, in reverse order.
-- While this file holds only comments, `eryao downgrade` refuses to pass this revision.

DROP INDEX ix_agent_run_scheduled_at_id;

CREATE INDEX ix_agent_run_scheduled_at ON agent_run (scheduled_at) WHERE status::text = 'queued'::text AND deleted_at IS NULL;
