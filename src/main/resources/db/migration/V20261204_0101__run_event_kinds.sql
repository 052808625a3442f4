-- 20261204_0101 run_event_kinds: a run's stream is one ordered log of what its attempt did: the
-- pieces of text its model wrote and, in order with them, the tool calls it asked for and their
-- results. Each is a row of agent_run_delta, numbered in the same sequence; kind says which, and
-- the content of a tool call's or result's row is its event as JSON (data, never instructions).
-- Upgrade. Runs in one transaction. Written by `eryao revision --autogenerate`, then reviewed.

ALTER TABLE agent_run_delta ADD COLUMN kind varchar(20) NOT NULL DEFAULT 'text';
ALTER TABLE agent_run_delta ADD CONSTRAINT ck_agent_run_delta_kind
    CHECK (kind IN ('text', 'tool_call', 'tool_result'));
