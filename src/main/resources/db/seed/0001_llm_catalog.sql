-- The LLM catalog: providers and models reachable with the OpenAI-compatible chat-completions
-- protocol. Prices are points per 1,000 tokens, where 1 point is US$0.00001 (so a price of
-- US$X per million tokens is X * 100 points per 1,000). Edit and run `eryao init-data` again to
-- update the rows; rows an admin soft-deleted are left deleted.

INSERT INTO llm_factory (name)
VALUES ('openai'), ('anthropic'), ('deepseek'), ('google'), ('mistral')
ON CONFLICT (name) WHERE deleted_at IS NULL DO NOTHING;

INSERT INTO llms (factory_id, model_code, display_name, request_url,
                  input_price_per_1k, output_price_per_1k, context_tokens)
SELECT f.id, m.model_code, m.display_name, m.request_url, m.input_price, m.output_price, m.context_tokens
FROM (VALUES
    ('openai',    'gpt-4o-mini',       'GPT-4o mini',       'https://api.openai.com/v1/chat/completions',    15,   60,  128000),
    ('openai',    'gpt-4o',            'GPT-4o',            'https://api.openai.com/v1/chat/completions',   250, 1000,  128000),
    ('anthropic', 'claude-sonnet-4-0', 'Claude Sonnet 4',   'https://api.anthropic.com/v1/chat/completions', 300, 1500,  200000),
    ('anthropic', 'claude-3-5-haiku-latest', 'Claude Haiku 3.5', 'https://api.anthropic.com/v1/chat/completions', 80, 400, 200000),
    ('deepseek',  'deepseek-chat',     'DeepSeek V3',       'https://api.deepseek.com/chat/completions',      27,  110,   64000),
    ('deepseek',  'deepseek-reasoner', 'DeepSeek R1',       'https://api.deepseek.com/chat/completions',      55,  219,   64000),
    ('google',    'gemini-2.0-flash',  'Gemini 2.0 Flash',  'https://generativelanguage.googleapis.com/v1beta/openai/chat/completions', 10, 40, 1048576),
    ('mistral',   'mistral-small-latest', 'Mistral Small',  'https://api.mistral.ai/v1/chat/completions',     20,   60,   32000)
) AS m (factory, model_code, display_name, request_url, input_price, output_price, context_tokens)
JOIN llm_factory f ON f.name = m.factory AND f.deleted_at IS NULL
ON CONFLICT (factory_id, model_code) WHERE deleted_at IS NULL DO UPDATE
    SET display_name        = excluded.display_name,
        request_url         = excluded.request_url,
        input_price_per_1k  = excluded.input_price_per_1k,
        output_price_per_1k = excluded.output_price_per_1k,
        context_tokens      = excluded.context_tokens,
        updated_at          = now()
    -- an unchanged row stays untouched, updated_at included
    WHERE (llms.display_name, llms.request_url, llms.input_price_per_1k, llms.output_price_per_1k, llms.context_tokens)
          IS DISTINCT FROM
          (excluded.display_name, excluded.request_url, excluded.input_price_per_1k, excluded.output_price_per_1k,
           excluded.context_tokens);
