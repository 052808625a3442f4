-- 20260411_0001 initial_llm_schema: the LLM catalog, and what Supabase provides where it is missing.

-- Supabase's roles and auth.uid() already exist on Supabase; plain or embedded PostgreSQL gets a
-- minimal stand-in so the same revisions (and their RLS policies) run on both.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
        CREATE ROLE anon NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        CREATE ROLE authenticated NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'auth') THEN
        CREATE SCHEMA auth;
        GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
    END IF;
    IF to_regprocedure('auth.uid()') IS NULL THEN
        -- Supabase's definition: the sub claim of the request's JWT, as PostgREST sets it.
        CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $uid$
            SELECT coalesce(
                nullif(current_setting('request.jwt.claim.sub', true), ''),
                (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
            )::uuid
        $uid$;
    END IF;
END
$$;

CREATE TABLE llm_factory (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    name        varchar(50) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    CONSTRAINT pk_llm_factory PRIMARY KEY (id)
);
-- Unique among live rows only, so a soft-deleted factory's name can be used again.
CREATE UNIQUE INDEX ix_llm_factory_name ON llm_factory (name) WHERE deleted_at IS NULL;
ALTER TABLE llm_factory ENABLE ROW LEVEL SECURITY;
CREATE POLICY llm_factory_read_live ON llm_factory
    FOR SELECT TO anon, authenticated USING (deleted_at IS NULL);

CREATE TABLE llms (
    id                  uuid          NOT NULL DEFAULT gen_random_uuid(),
    factory_id          uuid          NOT NULL,
    model_code          varchar(100)  NOT NULL,
    display_name        varchar(200)  NOT NULL,
    request_url         varchar(500)  NOT NULL,
    input_price_per_1k  numeric(12,4) NOT NULL,
    output_price_per_1k numeric(12,4) NOT NULL,
    context_tokens      integer,
    is_active           boolean       NOT NULL DEFAULT true,
    created_at          timestamptz   NOT NULL DEFAULT now(),
    updated_at          timestamptz   NOT NULL DEFAULT now(),
    deleted_at          timestamptz,
    CONSTRAINT pk_llms PRIMARY KEY (id),
    CONSTRAINT fk_llms_factory_id FOREIGN KEY (factory_id) REFERENCES llm_factory (id),
    CONSTRAINT ck_llms_prices_not_negative CHECK (input_price_per_1k >= 0 AND output_price_per_1k >= 0),
    CONSTRAINT ck_llms_context_tokens_positive CHECK (context_tokens IS NULL OR context_tokens > 0)
);
CREATE INDEX ix_llms_model_code ON llms (model_code);
CREATE UNIQUE INDEX ix_llms_factory_id_model_code ON llms (factory_id, model_code) WHERE deleted_at IS NULL;
ALTER TABLE llms ENABLE ROW LEVEL SECURITY;
CREATE POLICY llms_read_active ON llms
    FOR SELECT TO anon, authenticated USING (deleted_at IS NULL AND is_active);
