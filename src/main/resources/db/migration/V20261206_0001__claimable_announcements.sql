-- 20261206_0001 claimable_announcements: a run's insert is announced with the key workers wait on
-- ("queue", after the run's and the session's ids), as every statement that may leave a run to
-- claim announces it: an idle worker is woken by the new run instead of looking for it on a timer.
-- Upgrade. Runs in one transaction.

CREATE OR REPLACE FUNCTION agent_run_announce_insert() RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
    PERFORM pg_catalog.pg_notify('eryao_run', NEW.id::text || ' ' || NEW.session_id::text || ' queue');
    RETURN NULL;
END
$$;
