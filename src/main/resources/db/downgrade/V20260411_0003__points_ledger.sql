-- Downgrade of 20260411_0003 points_ledger.
DROP TABLE points_balance;
DROP TABLE points_ledger;
DROP FUNCTION points_ledger_refuse_change();
