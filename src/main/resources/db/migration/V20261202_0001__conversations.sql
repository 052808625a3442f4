-- 20261202_0001 conversations: a session is one conversation, kept by identity. A message records
-- the message it follows (parent_id: regenerate and edit make siblings, so a session is a tree)
-- and, for an answer, the run that wrote it (run_id); a run records the question it answers
-- (question_id: a regenerated run answers its original's question again). A session's runs are
-- claimed one at a time, in the order they were accepted (an index of their own), and a new run
-- is announced on the runs' channel with its session, for the session's event stream.
-- Upgrade. Runs in one transaction.

ALTER TABLE agent_chat_message ADD COLUMN parent_id uuid;
ALTER TABLE agent_chat_message ADD COLUMN run_id uuid;
ALTER TABLE agent_run ADD COLUMN question_id uuid;

-- Existing history was one line per session: each message follows the one before it.
UPDATE agent_chat_message m SET parent_id = p.previous
FROM (SELECT id, lag(id) OVER (PARTITION BY session_id ORDER BY created_at, id) AS previous
      FROM agent_chat_message WHERE deleted_at IS NULL) p
WHERE m.id = p.id AND p.previous IS NOT NULL;

-- A run's question is the user message written in the same transaction: its session, owner and
-- input, created just before the run. (Matched by text once, here, for rows written before runs
-- recorded it; nothing after this revision looks a message up by its text.)
UPDATE agent_run r SET question_id = (
    SELECT m.id FROM agent_chat_message m
    WHERE m.session_id = r.session_id AND m.owner_id = r.owner_id AND m.role = 'user'
      AND m.content = r.input AND m.created_at <= r.created_at AND m.deleted_at IS NULL
    ORDER BY m.created_at DESC, m.id DESC
    LIMIT 1);

-- An answer is the assistant message its run recorded when it finished, with the run's output.
UPDATE agent_chat_message m SET run_id = (
    SELECT r.id FROM agent_run r
    WHERE r.session_id = m.session_id AND r.owner_id = m.owner_id AND r.output = m.content
      AND r.status IN ('succeeded', 'cancelled') AND r.finished_at IS NOT NULL
    ORDER BY abs(extract(epoch FROM m.created_at - r.finished_at)), r.id
    LIMIT 1)
WHERE m.role = 'assistant';

ALTER TABLE agent_chat_message ADD CONSTRAINT fk_agent_chat_message_parent_id
    FOREIGN KEY (parent_id) REFERENCES agent_chat_message (id);
ALTER TABLE agent_chat_message ADD CONSTRAINT fk_agent_chat_message_run_id
    FOREIGN KEY (run_id) REFERENCES agent_run (id);
ALTER TABLE agent_run ADD CONSTRAINT fk_agent_run_question_id
    FOREIGN KEY (question_id) REFERENCES agent_chat_message (id);

CREATE INDEX ix_agent_chat_message_parent_id ON agent_chat_message (parent_id);
CREATE INDEX ix_agent_chat_message_run_id ON agent_chat_message (run_id);
CREATE INDEX ix_agent_run_question_id ON agent_run (question_id);

-- A session's runs in the order they were accepted: the claim's "no earlier open run of this
-- session", the session's list of runs (newest first), and the session's foreign key.
DROP INDEX ix_agent_run_session_id;
CREATE INDEX ix_agent_run_session_id_created_at_id ON agent_run (session_id, created_at, id);
-- A session's open runs by status: what the claim asks of every candidate (is one of its session's
-- runs running, is an earlier one queued) are two short probes here, however many runs the
-- session has had; and the session's run in flight.
CREATE INDEX ix_agent_run_session_id_status_created_at_id ON agent_run (session_id, status, created_at, id)
    WHERE status IN ('queued', 'running') AND deleted_at IS NULL;

-- A run's insert is announced like its every later change (the statements' pg_notify), with its
-- session beside its id: a session's event stream learns of the session's new runs.
CREATE FUNCTION agent_run_announce_insert() RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
    PERFORM pg_catalog.pg_notify('eryao_run', NEW.id::text || ' ' || NEW.session_id::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER agent_run_announce_insert AFTER INSERT ON agent_run
    FOR EACH ROW EXECUTE FUNCTION agent_run_announce_insert();
