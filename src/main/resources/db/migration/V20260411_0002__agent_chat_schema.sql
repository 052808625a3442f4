-- 20260411_0002 agent_chat_schema: chat sessions, their messages, and agent runs queued as tasks.

CREATE TABLE agent_chat_session (
    id          uuid         NOT NULL DEFAULT gen_random_uuid(),
    owner_id    uuid         NOT NULL,
    title       varchar(200) NOT NULL,
    llm_id      uuid,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    CONSTRAINT pk_agent_chat_session PRIMARY KEY (id),
    CONSTRAINT fk_agent_chat_session_llm_id FOREIGN KEY (llm_id) REFERENCES llms (id),
    CONSTRAINT ck_agent_chat_session_title_not_blank CHECK (length(btrim(title)) > 0)
);
-- An owner's live sessions, newest first: the list endpoint's keyset order.
CREATE INDEX ix_agent_chat_session_owner_id_created_at_id
    ON agent_chat_session (owner_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
ALTER TABLE agent_chat_session ENABLE ROW LEVEL SECURITY;
CREATE POLICY agent_chat_session_owner_read ON agent_chat_session
    FOR SELECT TO authenticated USING (owner_id = auth.uid() AND deleted_at IS NULL);

CREATE TABLE agent_chat_message (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    session_id  uuid        NOT NULL,
    owner_id    uuid        NOT NULL,
    role        varchar(20) NOT NULL,
    content     text        NOT NULL,
    token_count integer,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    CONSTRAINT pk_agent_chat_message PRIMARY KEY (id),
    CONSTRAINT fk_agent_chat_message_session_id FOREIGN KEY (session_id) REFERENCES agent_chat_session (id),
    CONSTRAINT ck_agent_chat_message_role CHECK (role IN ('system', 'user', 'assistant', 'tool')),
    CONSTRAINT ck_agent_chat_message_token_count CHECK (token_count IS NULL OR token_count >= 0)
);
CREATE INDEX ix_agent_chat_message_session_id_created_at_id
    ON agent_chat_message (session_id, created_at, id) WHERE deleted_at IS NULL;
ALTER TABLE agent_chat_message ENABLE ROW LEVEL SECURITY;
CREATE POLICY agent_chat_message_owner_read ON agent_chat_message
    FOR SELECT TO authenticated USING (owner_id = auth.uid() AND deleted_at IS NULL);

CREATE TABLE agent_run (
    id               uuid         NOT NULL DEFAULT gen_random_uuid(),
    session_id       uuid         NOT NULL,
    owner_id         uuid         NOT NULL,
    llm_id           uuid,
    status           varchar(20)  NOT NULL DEFAULT 'queued',
    input            text         NOT NULL,
    output           text,
    error            text,
    attempts         integer      NOT NULL DEFAULT 0,
    idempotency_key  varchar(200),
    -- earliest time a worker may take the run: now when queued, later after a failed attempt
    scheduled_at     timestamptz  NOT NULL DEFAULT now(),
    leased_by        varchar(200),
    lease_expires_at timestamptz,
    started_at       timestamptz,
    finished_at      timestamptz,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),
    deleted_at       timestamptz,
    CONSTRAINT pk_agent_run PRIMARY KEY (id),
    CONSTRAINT fk_agent_run_session_id FOREIGN KEY (session_id) REFERENCES agent_chat_session (id),
    CONSTRAINT fk_agent_run_llm_id FOREIGN KEY (llm_id) REFERENCES llms (id),
    CONSTRAINT ck_agent_run_status CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    CONSTRAINT ck_agent_run_attempts CHECK (attempts >= 0)
);
-- An idempotency key names one run per owner forever, deleted or not.
CREATE UNIQUE INDEX ix_agent_run_owner_id_idempotency_key
    ON agent_run (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX ix_agent_run_session_id ON agent_run (session_id);
-- What workers claim next, and what the rescuer finds with an expired lease.
CREATE INDEX ix_agent_run_scheduled_at ON agent_run (scheduled_at) WHERE status = 'queued' AND deleted_at IS NULL;
CREATE INDEX ix_agent_run_lease_expires_at ON agent_run (lease_expires_at) WHERE status = 'running';
ALTER TABLE agent_run ENABLE ROW LEVEL SECURITY;
CREATE POLICY agent_run_owner_read ON agent_run
    FOR SELECT TO authenticated USING (owner_id = auth.uid() AND deleted_at IS NULL);
