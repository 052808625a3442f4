-- 20261203_0001 run_steps: a run's model may call tools. Each model call and each tool call is a
-- step of its run, recorded as it ends (so a retried attempt continues after the last one and never
-- pays a step twice), and every run ends with why it stopped.
-- Upgrade. Runs in one transaction. Written by `eryao revision --autogenerate`, then reviewed.

CREATE TABLE agent_run_step (
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    arguments       text,
    attempt         integer NOT NULL,
    content         text,
    finished_at     timestamp with time zone NOT NULL,
    input_tokens    integer,
    is_error        boolean NOT NULL DEFAULT false,
    kind            varchar(10) NOT NULL,
    output_tokens   integer,
    owner_id        uuid NOT NULL,
    points_charged  bigint NOT NULL DEFAULT 0,
    result          text,
    run_id          uuid NOT NULL,
    started_at      timestamp with time zone NOT NULL,
    step_index      integer NOT NULL,
    tool_call_id    varchar(200),
    tool_calls      text,
    tool_name       varchar(200),
    usage_estimated boolean NOT NULL DEFAULT false,
    created_at      timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_agent_run_step PRIMARY KEY (id),
    CONSTRAINT ck_agent_run_step_kind CHECK (kind IN ('model', 'tool')),
    CONSTRAINT ck_agent_run_step_position CHECK (attempt >= 1 AND step_index >= 0),
    CONSTRAINT ck_agent_run_step_usage CHECK (points_charged >= 0 AND coalesce(input_tokens, 0) >= 0
        AND coalesce(output_tokens, 0) >= 0)
);
ALTER TABLE agent_run_step ENABLE ROW LEVEL SECURITY;
CREATE POLICY agent_run_step_reader ON agent_run_step FOR SELECT TO eryao_reader USING (true);
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON agent_run_step FROM anon, authenticated;
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 170000 THEN
        EXECUTE 'REVOKE MAINTAIN ON agent_run_step FROM anon, authenticated';
    END IF;
END
$$;
CREATE POLICY agent_run_step_owner_read ON agent_run_step
    FOR SELECT TO authenticated USING (owner_id = (SELECT auth.uid()));

-- Why a finished run stopped (end_turn, max_steps, insufficient_points, max_points, cancelled,
-- error); the most model steps it may take; the most points it may cost in all (null: no cap).
ALTER TABLE agent_run ADD COLUMN stop_reason varchar(30);
ALTER TABLE agent_run ADD COLUMN max_steps integer;
ALTER TABLE agent_run ADD COLUMN max_points bigint;
ALTER TABLE agent_run ADD CONSTRAINT ck_agent_run_limits CHECK ((max_steps IS NULL OR max_steps >= 1)
    AND (max_points IS NULL OR max_points >= 0));

CREATE UNIQUE INDEX ix_agent_run_step_run_id_step_index ON agent_run_step (run_id, step_index);

ALTER TABLE agent_run_step ADD CONSTRAINT fk_agent_run_step_run_id FOREIGN KEY (run_id) REFERENCES agent_run (id);
