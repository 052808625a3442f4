-- 20261203_0011 mcp_servers: the MCP servers administrators register, whose tools runs may call.
-- Only administrators (the backend, as service role) read or write it: no API role has a policy,
-- so a user's token reads nothing here. It holds no secret: a secret header is stored as the NAME
-- of the ERYAO_* variable that holds its value in the worker's environment.
-- Upgrade. Runs in one transaction.

CREATE TABLE mcp_server (
    id                     uuid         NOT NULL DEFAULT gen_random_uuid(),
    name                   varchar(32)  NOT NULL,
    url                    varchar(500) NOT NULL,
    allowed_tools          text[]       NOT NULL,
    approval_tools         text[]       NOT NULL,
    price_per_call         bigint       NOT NULL,
    secret_header_name     varchar(100),
    secret_header_variable varchar(100),
    is_enabled             boolean      NOT NULL DEFAULT true,
    created_at             timestamptz  NOT NULL DEFAULT now(),
    updated_at             timestamptz  NOT NULL DEFAULT now(),
    deleted_at             timestamptz,
    CONSTRAINT pk_mcp_server PRIMARY KEY (id),
    -- The model sees a tool as <server>__<tool>: no "__" in the name, nor a trailing "_", so the
    -- first "__" of a tool's name always ends its server's name.
    CONSTRAINT ck_mcp_server_name CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,31}$' AND name NOT LIKE '%\_\_%'
                                         AND name NOT LIKE '%\_'),
    CONSTRAINT ck_mcp_server_url_http CHECK (url ~ '^https?://'),
    CONSTRAINT ck_mcp_server_allowed_tools_not_empty CHECK (cardinality(allowed_tools) > 0),
    CONSTRAINT ck_mcp_server_price_not_negative CHECK (price_per_call >= 0),
    CONSTRAINT ck_mcp_server_secret_header_whole CHECK ((secret_header_name IS NULL) = (secret_header_variable IS NULL)),
    CONSTRAINT ck_mcp_server_secret_header_variable CHECK (secret_header_variable ~ '^ERYAO_[A-Z0-9_]+$')
);
-- Unique among live rows only, so a deleted registration's name can be used again.
CREATE UNIQUE INDEX ix_mcp_server_name ON mcp_server (name) WHERE deleted_at IS NULL;
ALTER TABLE mcp_server ENABLE ROW LEVEL SECURITY;
CREATE POLICY mcp_server_reader ON mcp_server FOR SELECT TO eryao_reader USING (true);
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON mcp_server FROM anon, authenticated;
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 170000 THEN
        EXECUTE 'REVOKE MAINTAIN ON mcp_server FROM anon, authenticated';
    END IF;
END
$$;
