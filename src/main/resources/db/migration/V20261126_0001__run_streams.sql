-- 20261126_0001 run_streams: what a running run's model has written so far, readable from every
-- process (event streams on any serve, reconnects); a run's stop request; stopped answers marked.
-- Upgrade. Runs in one transaction. Written by `eryao revision --autogenerate`, then reviewed.

CREATE TABLE agent_run_delta (
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    attempt     integer NOT NULL,
    content     text NOT NULL,
    delta_index integer NOT NULL,
    owner_id    uuid NOT NULL,
    run_id      uuid NOT NULL,
    created_at  timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_agent_run_delta PRIMARY KEY (id),
    CONSTRAINT ck_agent_run_delta_position CHECK (attempt >= 1 AND delta_index >= 0)
);
ALTER TABLE agent_run_delta ENABLE ROW LEVEL SECURITY;
CREATE POLICY agent_run_delta_reader ON agent_run_delta FOR SELECT TO eryao_reader USING (true);
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON agent_run_delta FROM anon, authenticated;
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 170000 THEN
        EXECUTE 'REVOKE MAINTAIN ON agent_run_delta FROM anon, authenticated';
    END IF;
END
$$;
CREATE POLICY agent_run_delta_owner_read ON agent_run_delta
    FOR SELECT TO authenticated USING (owner_id = (SELECT auth.uid()));

-- An assistant message whose run was stopped holds the text written until then.
ALTER TABLE agent_chat_message ADD COLUMN stopped boolean NOT NULL DEFAULT false;

-- Set when a running run is to stop (its owner cancelled it, or deleted its session): the worker
-- performing it, in whatever process, sees it and stops reading the model.
ALTER TABLE agent_run ADD COLUMN cancel_requested_at timestamp with time zone;

CREATE UNIQUE INDEX ix_agent_run_delta_run_id_attempt_delta_index ON agent_run_delta (run_id, attempt, delta_index);

ALTER TABLE agent_run_delta ADD CONSTRAINT fk_agent_run_delta_run_id FOREIGN KEY (run_id) REFERENCES agent_run (id);
