-- 20261124_0002 read_only_role: eryao_reader, the login of the data-viewing tools (bin/eryao sql,
-- tables, mcp). It can read every table in public and do nothing else, so those tools are
-- read-only because the database says so, not because anything parsed the SQL they run.

-- Roles belong to the whole server, not to one database: a second database on the same server
-- (or a Supabase project that had it made by hand) may already have it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'eryao_reader') THEN
        -- LOGIN without a password: where the server checks passwords (Supabase) nobody can log in
        -- as it until an administrator gives it one; the embedded server trusts local connections.
        -- Not a superuser, not a member of any role: the tools log in as this role itself, so no
        -- SET ROLE, set_config('role', ...) or SET SESSION AUTHORIZATION can reach a role that
        -- writes. BYPASSRLS because the tools are for looking at all the data (as Supabase's MCP
        -- does with the postgres role); RLS policies here only grant anon and authenticated.
        CREATE ROLE eryao_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION
            BYPASSRLS CONNECTION LIMIT 10;
        -- Every transaction it starts is read-only unless it asks otherwise (the tools also begin
        -- each one READ ONLY explicitly).
        ALTER ROLE eryao_reader SET default_transaction_read_only = on;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO eryao_reader', current_database());
END
$$;

GRANT USAGE ON SCHEMA public TO eryao_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO eryao_reader;
-- Tables later revisions create (they run as the same role as this one) are readable too.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO eryao_reader;
