COMMENT ON TABLE llms IS 'second wording, edited after it was applied';
