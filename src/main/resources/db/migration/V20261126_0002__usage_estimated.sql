-- 20261126_0002 usage_estimated: a run whose provider reported no usage is marked, its token counts
-- being our upper bounds (the prompt's bound and the answer's UTF-8 bytes) rather than the provider's.
-- Upgrade. Runs in one transaction.

ALTER TABLE agent_run ADD COLUMN usage_estimated boolean NOT NULL DEFAULT false;
