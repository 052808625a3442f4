-- Downgrade of 20261201_0002 fair_turns: undo exactly what the upgrade does, in reverse order.

DROP INDEX ix_agent_run_owner_id_turn_at;

DROP INDEX ix_agent_run_turn_at_id;

CREATE INDEX ix_agent_run_scheduled_at_id ON agent_run (scheduled_at, id) WHERE status::text = 'queued'::text AND deleted_at IS NULL;

ALTER TABLE agent_run DROP COLUMN turn_at;
