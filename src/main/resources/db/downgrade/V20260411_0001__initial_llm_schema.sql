-- Downgrade of 20260411_0001 initial_llm_schema. Supabase's roles, schema auth and auth.uid() stay:
-- on Supabase they were never ours, and elsewhere later revisions expect them.
DROP TABLE llms;
DROP TABLE llm_factory;
