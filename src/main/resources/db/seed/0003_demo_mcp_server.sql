-- An MCP server on this machine, so a run can call a tool without installing anything:
-- `eryao stand-in` serves three harmless tools (add, word_count, clock) at
-- http://127.0.0.1:11435/mcp. Every tool it lists is allowed; add needs the owner's approval,
-- so the walkthrough shows one. Free. An administrator's later changes to it are kept: the seed
-- only adds it where no live server is named demo.

INSERT INTO mcp_server (name, url, allowed_tools, approval_tools, price_per_call)
VALUES ('demo', 'http://127.0.0.1:11435/mcp', ARRAY['*'], ARRAY['add'], 0)
ON CONFLICT (name) WHERE deleted_at IS NULL DO NOTHING;
