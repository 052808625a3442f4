-- 20261204_0201 run_trace_parent: the trace a run belongs to, as a W3C traceparent
-- (00-<trace id>-<span id>-<flags>) of the request that accepted it, so that the worker that claims
-- it, in whatever process, continues that trace. Null when the request was not traced.
-- Upgrade. Runs in one transaction.

ALTER TABLE agent_run ADD COLUMN trace_parent text;
