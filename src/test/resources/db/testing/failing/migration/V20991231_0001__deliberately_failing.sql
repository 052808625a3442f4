-- Creates a table, then fails: the table must not survive.
CREATE TABLE deliberately_failing_partial (id uuid PRIMARY KEY);
SELECT 1 / 0;
