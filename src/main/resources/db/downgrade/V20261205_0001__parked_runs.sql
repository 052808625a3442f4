-- Downgrade of 20261205_0001 parked_runs: undo exactly what the upgrade does.
-- Before it, no run could wait for its owner: a parked run is cancelled (its owner never answered),
-- its hold given back, as a cancel of a queued run does; an expired one reads as cancelled.

UPDATE points_balance b SET held = b.held - p.held, updated_at = now()
FROM (SELECT owner_id, sum(held_points) AS held FROM agent_run
      WHERE status IN ('requires_approval', 'requires_action') AND deleted_at IS NULL AND held_points > 0
      GROUP BY owner_id) p
WHERE b.owner_id = p.owner_id;
UPDATE agent_run SET status = 'cancelled', stop_reason = 'cancelled', finished_at = now(), updated_at = now(),
    error = 'cancelled by a downgrade: runs could no longer wait for their owner'
WHERE status IN ('requires_approval', 'requires_action');
UPDATE agent_run SET status = 'cancelled' WHERE status = 'expired';

DROP INDEX ix_agent_run_parked_at;
DROP INDEX ix_agent_run_owner_id_turn_at;
CREATE INDEX ix_agent_run_owner_id_turn_at ON agent_run (owner_id, turn_at)
    WHERE status IN ('queued', 'running') AND deleted_at IS NULL;
DROP INDEX ix_agent_run_session_id_status_created_at_id;
CREATE INDEX ix_agent_run_session_id_status_created_at_id ON agent_run (session_id, status, created_at, id)
    WHERE status IN ('queued', 'running') AND deleted_at IS NULL;
ALTER TABLE agent_run DROP COLUMN parks;
ALTER TABLE agent_run DROP COLUMN client_tools;
ALTER TABLE agent_run DROP COLUMN pending_calls;
ALTER TABLE agent_run DROP COLUMN parked_at;
ALTER TABLE agent_run DROP CONSTRAINT ck_agent_run_status;
ALTER TABLE agent_run ADD CONSTRAINT ck_agent_run_status CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'));
