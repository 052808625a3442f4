package dev.eryao.support;

import dev.eryao.core.config.DatabaseSettings;
import dev.eryao.core.config.Environment;
import dev.eryao.core.config.Settings;
import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A second database on the suite's server, migrated to head, for what must never happen in the
 * shared one: a table with RLS off, a function that writes, write attempts aimed at real rows.
 * Created once per JVM and dropped at exit. Its fixture, made by the superuser:
 * {@code probe} (RLS off, two rows), {@code guarded} (RLS on, only the reader's policy, one row), sequence
 * {@code probe_seq}, and {@code write_probe()}, a SECURITY DEFINER function that inserts.
 */
public final class ScratchDatabase {
    private static final String FIXTURE = """
            CREATE TABLE probe (id uuid NOT NULL DEFAULT gen_random_uuid(), note text NOT NULL,
                                CONSTRAINT pk_probe PRIMARY KEY (id));
            INSERT INTO probe (note) VALUES ('first'), ('second');
            CREATE TABLE guarded (id uuid NOT NULL DEFAULT gen_random_uuid(), secret text NOT NULL,
                                  CONSTRAINT pk_guarded PRIMARY KEY (id));
            ALTER TABLE guarded ENABLE ROW LEVEL SECURITY;
            -- As every table of ours has one (revision 20261125_0004): the reader's way in where it
            -- has no BYPASSRLS (Supabase's non-superuser postgres on PostgreSQL 15 cannot grant it).
            CREATE POLICY guarded_reader ON guarded FOR SELECT TO eryao_reader USING (true);
            INSERT INTO guarded (secret) VALUES ('only the reader and the owner see this');
            CREATE SEQUENCE probe_seq;
            CREATE FUNCTION write_probe() RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
            BEGIN
                INSERT INTO probe (note) VALUES ('written by a function');
            END
            $$;
            """;

    /** Everything a write could change, as one string: rows, objects, the sequence, the reader role. */
    private static final String FINGERPRINT = """
            SELECT concat_ws(' | ',
                (SELECT count(*) || ' rows ' || md5(string_agg(id::text || note, ',' ORDER BY id)) FROM probe),
                (SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace),
                (SELECT count(*) || ' functions' FROM pg_proc WHERE pronamespace = 'public'::regnamespace),
                (SELECT 'seq ' || last_value || ' ' || is_called FROM probe_seq),
                (SELECT count(*) || ' large objects' FROM pg_largeobject_metadata),
                (SELECT row(rolsuper, rolcreaterole, rolbypassrls, rolconfig)::text FROM pg_roles WHERE rolname = 'eryao_reader'),
                (SELECT count(*) || ' memberships' FROM pg_auth_members WHERE member = 'eryao_reader'::regrole),
                (SELECT relrowsecurity::text FROM pg_class WHERE oid = 'probe'::regclass))""";

    private static ScratchDatabase instance;

    private final String name;
    private final Map<String, String> variables;
    private final Database admin;
    private final Database tools;

    private ScratchDatabase() {
        TestDatabase shared = TestDatabase.get();
        this.name = "eryao_scratch_" + UUID.randomUUID().toString().substring(0, 8);
        execute(shared, "CREATE DATABASE " + name);
        this.variables = variablesFor(shared.database().settings(), name);
        Map<String, String> sessionMode = new HashMap<>(variablesFor(shared.sessionSettings(), name));
        sessionMode.put("ERYAO_DATABASE__POOL_MODE", "session");
        this.admin = Database.open(Settings.from(Environment.of(sessionMode)));
        new Migrations(admin, line -> {}).migrate();
        try (Connection connection = admin();
                Statement sql = connection.createStatement()) {
            sql.execute(FIXTURE);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the scratch fixture: " + e.getMessage(), e);
        }
        // In the pool mode under test, as the tools would connect.
        this.tools = Database.open(settings());
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    }

    public static synchronized ScratchDatabase get() {
        if (instance == null) {
            instance = new ScratchDatabase();
        }
        return instance;
    }

    /** The {@code ERYAO_DATABASE__*} variables naming a database on the suite's server, in the pool mode under test. */
    public static Map<String, String> variablesFor(DatabaseSettings server, String database) {
        Map<String, String> variables = new HashMap<>();
        variables.put("ERYAO_DATABASE__HOST", server.host());
        variables.put("ERYAO_DATABASE__PORT", String.valueOf(server.port()));
        variables.put("ERYAO_DATABASE__NAME", database);
        variables.put("ERYAO_DATABASE__USER", server.user());
        variables.put("ERYAO_DATABASE__PASSWORD", server.password().reveal());
        variables.put("ERYAO_DATABASE__SSLMODE", server.sslMode().pgValue());
        variables.put("ERYAO_DATABASE__POOL_SIZE", "2");
        variables.put(
                "ERYAO_DATABASE__POOL_MODE",
                TestDatabase.get().settings().database().poolMode().name().toLowerCase());
        return variables;
    }

    public String name() {
        return name;
    }

    /** Variables for a {@code bin/eryao} run against this database. */
    public Map<String, String> variables() {
        return Map.copyOf(variables);
    }

    public Settings settings() {
        return Settings.from(Environment.of(variables));
    }

    /** This database opened in the pool mode under test, for building tools in-process. */
    public Database database() {
        return tools;
    }

    /** A superuser connection of its own, auto-commit on. */
    public Connection admin() throws SQLException {
        Connection connection = admin.dataSource().getConnection();
        connection.setAutoCommit(true);
        return connection;
    }

    public String fingerprint() {
        try (Connection connection = admin();
                Statement sql = connection.createStatement();
                ResultSet row = sql.executeQuery(FINGERPRINT)) {
            row.next();
            return row.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void close() {
        tools.close();
        admin.close();
        try {
            execute(TestDatabase.get(), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (RuntimeException e) {
            // The embedded server may already be stopping; it lives in a temporary directory anyway.
        }
    }

    private static void execute(TestDatabase shared, String statement) {
        try (Connection connection = shared.connection();
                Statement sql = connection.createStatement()) {
            sql.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(statement + ": " + e.getMessage(), e);
        }
    }
}
