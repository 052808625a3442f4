COMMENT ON TABLE agent_run IS 'set by a revision that has no downgrade';
