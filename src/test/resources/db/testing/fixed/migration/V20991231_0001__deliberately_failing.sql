-- The same revision, fixed.
CREATE TABLE deliberately_failing_partial (id uuid NOT NULL, CONSTRAINT pk_deliberately_failing_partial PRIMARY KEY (id));
ALTER TABLE deliberately_failing_partial ENABLE ROW LEVEL SECURITY;
