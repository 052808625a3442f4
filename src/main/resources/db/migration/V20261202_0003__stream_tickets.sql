-- 20261202_0003 stream_tickets: short-lived tickets that open one event stream for its owner
-- without an Authorization header (a browser's EventSource cannot send one). Kept in the database
-- so that any serve process of the deployment can check a ticket another issued, also when tokens
-- are verified with Supabase's JWKS (no secret the processes share). Only each ticket's SHA-256 is
-- stored: a row read from the table (the read-only tools, a backup) opens no stream.
-- Upgrade. Runs in one transaction.

CREATE TABLE stream_ticket (
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    expires_at  timestamp with time zone NOT NULL,
    owner_id    uuid NOT NULL,
    stream_path text NOT NULL,
    ticket_hash text NOT NULL,
    created_at  timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT pk_stream_ticket PRIMARY KEY (id)
);
ALTER TABLE stream_ticket ENABLE ROW LEVEL SECURITY;
CREATE POLICY stream_ticket_reader ON stream_ticket FOR SELECT TO eryao_reader USING (true);
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON stream_ticket FROM anon, authenticated;
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 170000 THEN
        EXECUTE 'REVOKE MAINTAIN ON stream_ticket FROM anon, authenticated';
    END IF;
END
$$;
CREATE POLICY stream_ticket_owner_read ON stream_ticket
    FOR SELECT TO authenticated USING (owner_id = (SELECT auth.uid()));

-- A ticket is found by its hash; expired ones are swept oldest first.
CREATE UNIQUE INDEX ix_stream_ticket_ticket_hash ON stream_ticket (ticket_hash);

CREATE INDEX ix_stream_ticket_expires_at ON stream_ticket (expires_at);
