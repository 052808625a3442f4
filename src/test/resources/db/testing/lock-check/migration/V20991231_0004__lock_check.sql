-- Fails unless the lock eryao's downgrade and stamp take (MigrationLock.KEY) is the one Flyway
-- holds while it applies this revision.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_locks
                   WHERE locktype = 'advisory' AND granted
                     AND ((classid::bigint << 32) | objid::bigint) = 77433833903597) THEN
        RAISE EXCEPTION 'Flyway does not hold the eryao migration lock 77433833903597';
    END IF;
END
$$;
