-- Downgrade of 20261125_0001 points_holds: undo exactly what the upgrade does, in reverse order.
-- Open holds are dropped with their columns: runs still queued then are charged as before holds.

ALTER TABLE points_ledger DROP CONSTRAINT ck_points_ledger_agent_run_is_debit;

ALTER TABLE agent_run DROP CONSTRAINT ck_agent_run_usage_not_negative;

ALTER TABLE agent_run DROP CONSTRAINT ck_agent_run_held_points_not_negative;

ALTER TABLE agent_run DROP COLUMN held_points;

ALTER TABLE points_balance DROP CONSTRAINT ck_points_balance_held_within_balance;

ALTER TABLE points_balance DROP COLUMN held;
