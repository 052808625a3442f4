-- 20261201_0002 fair_turns: the claim takes turns between owners (agent_run.turn_at), and an
-- owner's open runs are found by an index of their own (the per-owner limit at enqueue).
-- Upgrade. Runs in one transaction.

ALTER TABLE agent_run ADD COLUMN turn_at timestamptz DEFAULT now();

-- Runs already queued keep the order they had.
UPDATE agent_run SET turn_at = scheduled_at;

ALTER TABLE agent_run ALTER COLUMN turn_at SET NOT NULL;

DROP INDEX ix_agent_run_scheduled_at_id;

CREATE INDEX ix_agent_run_turn_at_id ON agent_run (turn_at, id) WHERE status::text = 'queued'::text AND deleted_at IS NULL;

CREATE INDEX ix_agent_run_owner_id_turn_at ON agent_run (owner_id, turn_at) WHERE status IN ('queued', 'running') AND deleted_at IS NULL;
