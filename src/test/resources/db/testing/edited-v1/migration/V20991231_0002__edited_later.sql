COMMENT ON TABLE llms IS 'first wording';
