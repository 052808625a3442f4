-- Downgrade of 20261206_0001 claimable_announcements: undo exactly what the upgrade does.
-- A run's insert is announced with its id and its session's id only, as before.

CREATE OR REPLACE FUNCTION agent_run_announce_insert() RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
    PERFORM pg_catalog.pg_notify('eryao_run', NEW.id::text || ' ' || NEW.session_id::text);
    RETURN NULL;
END
$$;
