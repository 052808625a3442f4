-- A model on this machine, so a run can succeed without any provider's key: Ollama's
-- OpenAI-compatible endpoint on its default port (`ollama pull llama3.2`), or `eryao stand-in`,
-- which answers on the same port. Free: a local model costs no points.

INSERT INTO llm_factory (name)
VALUES ('local')
ON CONFLICT (name) WHERE deleted_at IS NULL DO NOTHING;

INSERT INTO llms (factory_id, model_code, display_name, request_url,
                  input_price_per_1k, output_price_per_1k, context_tokens)
SELECT f.id, 'llama3.2', 'Local model (Ollama, or eryao stand-in)',
       'http://127.0.0.1:11434/v1/chat/completions', 0, 0, 8192
FROM llm_factory f WHERE f.name = 'local' AND f.deleted_at IS NULL
ON CONFLICT (factory_id, model_code) WHERE deleted_at IS NULL DO NOTHING;
