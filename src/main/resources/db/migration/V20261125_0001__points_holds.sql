-- 20261125_0001 points_holds: a run's most possible price is held from the owner's points when it is
-- accepted, and released when it finishes; available points are balance - held.
-- Upgrade. Runs in one transaction.

-- The sum of the open holds (the held_points of the owner's queued and running runs). Kept by the
-- same statements that change the runs, so it can be read without summing; never more than the
-- balance, so holds can never promise points that are not there.
ALTER TABLE points_balance ADD COLUMN held bigint NOT NULL DEFAULT 0;
ALTER TABLE points_balance ADD CONSTRAINT ck_points_balance_held_within_balance
    CHECK (held >= 0 AND held <= balance);

-- What the run holds while it is queued or running (0 for a free model, and for runs accepted
-- before holds existed); the hold is released when the run reaches any final status.
ALTER TABLE agent_run ADD COLUMN held_points bigint NOT NULL DEFAULT 0;
ALTER TABLE agent_run ADD CONSTRAINT ck_agent_run_held_points_not_negative CHECK (held_points >= 0);

-- The last line behind the worker's usage checks: no run records negative usage, a negative price
-- or a negative charge, and a run's ledger row is always a debit, so no model answer can credit
-- points.
ALTER TABLE agent_run ADD CONSTRAINT ck_agent_run_usage_not_negative
    CHECK ((input_tokens IS NULL OR input_tokens >= 0) AND (output_tokens IS NULL OR output_tokens >= 0)
           AND (cost_points IS NULL OR cost_points >= 0) AND (charged_points IS NULL OR charged_points >= 0));
ALTER TABLE points_ledger ADD CONSTRAINT ck_points_ledger_agent_run_is_debit
    CHECK (reference_type IS DISTINCT FROM 'agent_run' OR amount < 0);
