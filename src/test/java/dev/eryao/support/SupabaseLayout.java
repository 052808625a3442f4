package dev.eryao.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Lays a fresh PostgreSQL server out the way Supabase lays out every project, from the documented
 * facts (shared design note "Supabase, as the backend meets it"), not from Supabase's scripts:
 *
 * <ul>
 *   <li>the superuser is {@code supabase_admin}; {@code postgres} is a login with
 *       {@code NOSUPERUSER CREATEDB CREATEROLE REPLICATION BYPASSRLS} that owns the database, with
 *       search_path {@code "$user", public, extensions};</li>
 *   <li>{@code anon}, {@code authenticated} ({@code NOLOGIN NOINHERIT}, statement timeouts 3 s and
 *       8 s), {@code service_role} ({@code BYPASSRLS}), and {@code authenticator}, a
 *       {@code NOINHERIT} login that is a member of the three, as PostgREST logs in;</li>
 *   <li>schema {@code auth} owned by {@code supabase_auth_admin}, with {@code auth.users},
 *       {@code auth.uid()}, {@code auth.role()} and {@code auth.jwt()}; schema {@code extensions};
 *       {@code supabase_read_only_user} (a {@code BYPASSRLS} login in {@code pg_read_all_data});</li>
 *   <li>default privileges: ALL on tables, sequences and functions that {@code postgres} or
 *       {@code supabase_admin} create in {@code public} for anon, authenticated and service_role.</li>
 * </ul>
 *
 * <p>The embedded server's initdb makes {@code postgres} its bootstrap superuser, which PostgreSQL
 * 16+ refuses to demote; so a temporary superuser renames it to {@code supabase_admin} and a new
 * {@code postgres} is created without superuser. That works the same on 15 and 17. Everything
 * per-database is laid in {@code template1} too, so every database the suite creates (as
 * {@code postgres}, which then owns it and its {@code public}) is a Supabase project's database.
 */
public final class SupabaseLayout {
    public static final String SUPERUSER = "supabase_admin";
    public static final String LOGIN = "postgres";
    private static final String SETUP = "supabase_layout_setup";

    private static final String ROLES = """
            ALTER ROLE postgres RENAME TO supabase_admin;
            CREATE ROLE postgres NOSUPERUSER CREATEDB CREATEROLE LOGIN REPLICATION BYPASSRLS;
            ALTER ROLE postgres SET search_path = "$user", public, extensions;
            CREATE ROLE anon NOLOGIN NOINHERIT;
            ALTER ROLE anon SET statement_timeout = '3s';
            CREATE ROLE authenticated NOLOGIN NOINHERIT;
            ALTER ROLE authenticated SET statement_timeout = '8s';
            CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
            CREATE ROLE authenticator NOINHERIT LOGIN;
            GRANT anon, authenticated, service_role TO authenticator;
            CREATE ROLE supabase_auth_admin NOINHERIT CREATEROLE LOGIN;
            CREATE ROLE supabase_read_only_user BYPASSRLS LOGIN;
            GRANT pg_read_all_data TO supabase_read_only_user;
            """;

    private static final String PER_DATABASE = """
            CREATE SCHEMA extensions;
            GRANT USAGE ON SCHEMA extensions TO postgres, anon, authenticated, service_role;
            CREATE EXTENSION pgcrypto SCHEMA extensions;
            CREATE EXTENSION "uuid-ossp" SCHEMA extensions;

            CREATE SCHEMA auth AUTHORIZATION supabase_auth_admin;
            GRANT USAGE ON SCHEMA auth TO postgres, anon, authenticated, service_role;
            SET ROLE supabase_auth_admin;
            CREATE TABLE auth.users (
                instance_id        uuid,
                id                 uuid NOT NULL PRIMARY KEY,
                aud                varchar(255),
                role               varchar(255),
                email              varchar(255),
                encrypted_password varchar(255),
                raw_app_meta_data  jsonb,
                raw_user_meta_data jsonb,
                is_anonymous       boolean NOT NULL DEFAULT false,
                created_at         timestamptz,
                updated_at         timestamptz
            );
            CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
                SELECT coalesce(
                    nullif(current_setting('request.jwt.claim.sub', true), ''),
                    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
                )::uuid
            $$;
            CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
                SELECT coalesce(
                    nullif(current_setting('request.jwt.claim.role', true), ''),
                    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
                )::text
            $$;
            CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
                SELECT coalesce(
                    nullif(current_setting('request.jwt.claim', true), ''),
                    nullif(current_setting('request.jwt.claims', true), '')
                )::jsonb
            $$;
            RESET ROLE;
            GRANT SELECT ON auth.users TO postgres;

            GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
            ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public
                GRANT ALL ON TABLES TO anon, authenticated, service_role;
            ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public
                GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
            ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public
                GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
            ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public
                GRANT ALL ON TABLES TO anon, authenticated, service_role;
            ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public
                GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
            ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public
                GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
            """;

    private SupabaseLayout() {}

    /** Lays out the fresh server on {@code host:port}, whose only role is the bootstrap superuser {@code postgres}. */
    public static void apply(String host, int port) {
        try {
            try (Connection bootstrap = connect(host, port, "postgres", "postgres");
                    Statement sql = bootstrap.createStatement()) {
                sql.execute("CREATE ROLE " + SETUP + " SUPERUSER LOGIN");
            }
            try (Connection setup = connect(host, port, "postgres", SETUP);
                    Statement sql = setup.createStatement()) {
                sql.execute(ROLES);
                sql.execute("ALTER DATABASE postgres OWNER TO postgres");
                sql.execute("ALTER DATABASE template1 OWNER TO supabase_admin");
            }
            try (Connection admin = connect(host, port, "postgres", SUPERUSER);
                    Statement sql = admin.createStatement()) {
                sql.execute("DROP ROLE " + SETUP);
            }
            for (String database : new String[] {"template1", "postgres"}) {
                try (Connection admin = connect(host, port, database, SUPERUSER);
                        Statement sql = admin.createStatement()) {
                    sql.execute(PER_DATABASE);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot lay out the Supabase roles and schemas: " + e.getMessage(), e);
        }
    }

    /** A connection to the server as {@code user} (the embedded server trusts local connections). */
    public static Connection connect(String host, int port, String database, String user) throws SQLException {
        Connection connection =
                DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, user, "");
        connection.setAutoCommit(true);
        return connection;
    }
}
