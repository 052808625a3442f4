-- Takes longer than the migration timeout the test sets (1 s).
SELECT pg_sleep(5);
