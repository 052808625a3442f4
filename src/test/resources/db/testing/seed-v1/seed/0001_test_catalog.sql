INSERT INTO llm_factory (name) VALUES ('seed-test') ON CONFLICT (name) WHERE deleted_at IS NULL DO NOTHING;
INSERT INTO llms (factory_id, model_code, display_name, request_url, input_price_per_1k, output_price_per_1k)
SELECT id, 'seed-model', 'Seed model', 'http://127.0.0.1:9/v1/chat/completions', 1, 1 FROM llm_factory
WHERE name = 'seed-test' AND deleted_at IS NULL
ON CONFLICT (factory_id, model_code) WHERE deleted_at IS NULL DO UPDATE
    SET input_price_per_1k = excluded.input_price_per_1k, updated_at = now();
