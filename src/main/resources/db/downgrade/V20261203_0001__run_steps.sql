-- Downgrade of 20261203_0001 run_steps: undo exactly what the upgrade does, in reverse order.
-- The recorded steps go with their table; runs keep their answers.

ALTER TABLE agent_run_step DROP CONSTRAINT fk_agent_run_step_run_id;

DROP INDEX ix_agent_run_step_run_id_step_index;

ALTER TABLE agent_run DROP CONSTRAINT ck_agent_run_limits;
ALTER TABLE agent_run DROP COLUMN max_points;
ALTER TABLE agent_run DROP COLUMN max_steps;
ALTER TABLE agent_run DROP COLUMN stop_reason;

DROP TABLE agent_run_step;
