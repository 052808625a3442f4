-- 20261205_0001 parked_runs: a run can wait for its owner. When its model calls a tool that needs
-- the owner's approval, or one of the client's own tools, the run parks: requires_approval or
-- requires_action, holding no lease and no worker, its pending calls (and, as they come, the
-- owner's decisions and outputs) in pending_calls. Once every pending call is decided it is queued
-- again and any worker resumes it; one left waiting past ERYAO_RUNS__PARKED_EXPIRY_SECONDS ends
-- expired. parks counts the attempts that ended parked, which are not failures: a run's retries
-- are its attempts less its parks. client_tools are the tools the run declared for its client to
-- perform (name, description, JSON Schema parameters).
-- Upgrade. Runs in one transaction. Written by hand (autogenerate names no CHECK constraint).

ALTER TABLE agent_run DROP CONSTRAINT ck_agent_run_status;
ALTER TABLE agent_run ADD CONSTRAINT ck_agent_run_status CHECK (status IN ('queued', 'running',
    'requires_approval', 'requires_action', 'succeeded', 'failed', 'cancelled', 'expired'));
ALTER TABLE agent_run ADD COLUMN parked_at timestamp with time zone;
ALTER TABLE agent_run ADD COLUMN pending_calls text;
ALTER TABLE agent_run ADD COLUMN client_tools text;
ALTER TABLE agent_run ADD COLUMN parks integer NOT NULL DEFAULT 0;

-- A parked run is open: it keeps its session's turn (the session's later runs wait behind it) and
-- counts among its owner's open runs, so the partial indexes of open runs take it in.
DROP INDEX ix_agent_run_session_id_status_created_at_id;
CREATE INDEX ix_agent_run_session_id_status_created_at_id ON agent_run (session_id, status, created_at, id)
    WHERE status IN ('queued', 'running', 'requires_approval', 'requires_action') AND deleted_at IS NULL;
DROP INDEX ix_agent_run_owner_id_turn_at;
CREATE INDEX ix_agent_run_owner_id_turn_at ON agent_run (owner_id, turn_at)
    WHERE status IN ('queued', 'running', 'requires_approval', 'requires_action') AND deleted_at IS NULL;
-- What the expiry sweep reads: the parked runs, oldest first; no row for any other run.
CREATE INDEX ix_agent_run_parked_at ON agent_run (parked_at)
    WHERE status IN ('requires_approval', 'requires_action') AND deleted_at IS NULL;
