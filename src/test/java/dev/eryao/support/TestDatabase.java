package dev.eryao.support;

import dev.eryao.App;
import dev.eryao.core.config.DatabaseSettings;
import dev.eryao.core.config.Environment;
import dev.eryao.core.config.PoolMode;
import dev.eryao.core.config.Settings;
import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The one real PostgreSQL the suite runs against, started once per JVM and migrated to head: the
 * embedded server in a temporary directory, or the server {@code ERYAO_DATABASE__*} names. With
 * {@code ERYAO_DATABASE__POOL_MODE=transaction} the application side uses transaction-pooler
 * connection settings, while migrations (which that mode refuses) go through a session connection.
 * When the suite runs through a real transaction pooler ({@code bin/test-pooler}: PgBouncer in front
 * of the server), {@code ERYAO_TEST__SESSION_HOST} / {@code ERYAO_TEST__SESSION_PORT} name the server
 * itself, so migrations and new databases bypass the pooler as they must on Supabase.
 * With {@code ERYAO_TEST__LAYOUT=supabase} it is instead a throwaway server laid out as a Supabase
 * project ({@link SupabaseServer}), reached as the non-superuser {@code postgres}.
 * Tests never clean up: each makes its own owners and rows, so they cannot disturb one another.
 */
public final class TestDatabase {
    /** Durability is not what tests measure; these make the embedded server much faster. */
    public static final Map<String, String> FAST_SERVER =
            Map.of("fsync", "off", "synchronous_commit", "off", "full_page_writes", "off");

    private static TestDatabase instance;

    private Settings settings;
    private final Database migrationDatabase;
    /** The per-owner limit of open runs the suite's apps and processes have. */
    public static final String SUITE_MAX_OPEN_RUNS = "100000";

    private final Database database;
    private final SqlRecorder sql = new SqlRecorder();
    private final App app;
    private final SupabaseServer supabase;

    private TestDatabase() {
        Map<String, String> variables = new HashMap<>(System.getenv());
        variables.putIfAbsent("ERYAO_DATA_DIR", temporaryDirectory().toString());
        // Tests race hundreds of one owner's runs through workers; the per-owner limit itself is
        // OpenRunLimitTest's subject, which sets it.
        variables.putIfAbsent("ERYAO_RUNS__MAX_OPEN_PER_OWNER", SUITE_MAX_OPEN_RUNS);
        // ERYAO_TEST__LAYOUT=supabase: a server laid out as a Supabase project, used as its
        // non-superuser postgres login, in place of the embedded server's superuser.
        this.supabase = SupabaseServer.requested(variables) ? SupabaseServer.start(variables, FAST_SERVER) : null;
        if (supabase != null) {
            variables.putAll(supabase.connectionVariables());
        }
        this.settings = Settings.from(Environment.of(variables));
        DatabaseSettings sessionMode = sessionAddress(withPoolMode(settings.database(), PoolMode.SESSION), variables);
        this.migrationDatabase = Database.open(settings.withDatabase(sessionMode), FAST_SERVER);
        new Migrations(migrationDatabase, line -> {}).migrate();
        // A transaction pooler cannot LISTEN: run event streams listen on the server itself, as a
        // deployment behind Supabase's pooler is told to (ERYAO_DATABASE__LISTEN_HOST/PORT).
        if (settings.database().poolMode() == PoolMode.TRANSACTION) {
            DatabaseSettings server = migrationDatabase.settings();
            settings = settings.withDatabase(settings.database().listeningAt(server.host(), server.port()));
        }
        // Opened second, so with the embedded server it attaches to the one already running.
        this.database = Database.open(settings, FAST_SERVER);
        this.app = App.over(database, settings, sql);
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    }

    public static synchronized TestDatabase get() {
        if (instance == null) {
            instance = new TestDatabase();
        }
        return instance;
    }

    public App app() {
        return app;
    }

    public SqlRecorder sql() {
        return sql;
    }

    /** The application's database (in the pool mode under test). */
    public Database database() {
        return database;
    }

    /**
     * Session-mode settings for the suite's server itself, bypassing a transaction pooler if one is
     * under test: what migrations and other session-bound work must connect with.
     */
    public DatabaseSettings sessionSettings() {
        return migrationDatabase.settings();
    }

    /** Settings the suite runs with; the data directory is a temporary one. */
    public Settings settings() {
        return settings;
    }

    /** A connection of its own, auto-commit on, for checking what is really stored. */
    public Connection connection() throws SQLException {
        Connection connection = migrationDatabase.dataSource().getConnection();
        connection.setAutoCommit(true);
        return connection;
    }

    /**
     * A new, empty database on the same server, with session-mode settings, for tests that change
     * the schema itself (migrations, downgrades) and must not disturb the shared one.
     */
    public Database freshDatabase() {
        String name = "t_" + java.util.UUID.randomUUID().toString().replace("-", "");
        try (Connection connection = connection();
                java.sql.Statement sql = connection.createStatement()) {
            sql.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database", e);
        }
        return Database.open(settings.withDatabase(freshDatabaseSettings(name)));
    }

    /**
     * A new database migrated to head, opened in the pool mode under test (transaction mode when the
     * suite runs that way), for tests that must not share the queue or the catalog with others.
     */
    public Database freshMigratedDatabase() {
        try (Database migrating = freshDatabase()) {
            new Migrations(migrating, line -> {}).migrate();
            return Database.open(
                    settings.withDatabase(appSettingsFor(migrating.settings().name())));
        }
    }

    /** The application's settings (its address, through the pooler when one is under test) for database {@code name}. */
    public DatabaseSettings appSettingsFor(String name) {
        DatabaseSettings app = database.settings();
        return new DatabaseSettings(
                        app.host(),
                        app.port(),
                        name,
                        app.user(),
                        app.password(),
                        app.sslMode(),
                        10,
                        app.poolMode(),
                        app.connectTimeout(),
                        app.statementTimeout(),
                        app.migrationTimeout())
                .listeningAt(app.listenHost(), app.listenPort());
    }

    /** Session-mode settings for the database {@code name} on the suite's server. */
    public DatabaseSettings freshDatabaseSettings(String name) {
        DatabaseSettings server = migrationDatabase.settings();
        return new DatabaseSettings(
                server.host(),
                server.port(),
                name,
                server.user(),
                server.password(),
                server.sslMode(),
                4,
                PoolMode.SESSION,
                server.connectTimeout(),
                server.statementTimeout(),
                server.migrationTimeout());
    }

    private void close() {
        app.close();
        database.close();
        migrationDatabase.close();
        if (supabase != null) {
            supabase.close();
        }
    }

    /** True when the suite runs on the Supabase layout, as the non-superuser {@code postgres}. */
    public boolean supabaseLayout() {
        return supabase != null;
    }

    /** {@code db} pointed at {@code ERYAO_TEST__SESSION_HOST/PORT} when they are set (a pooler is under test). */
    private static DatabaseSettings sessionAddress(DatabaseSettings db, Map<String, String> variables) {
        String host = variables.get("ERYAO_TEST__SESSION_HOST");
        String port = variables.get("ERYAO_TEST__SESSION_PORT");
        if (host == null && port == null) {
            return db;
        }
        return db.at(
                host != null ? host : db.host(),
                port != null ? Integer.parseInt(port) : db.port(),
                db.user(),
                db.sslMode());
    }

    static DatabaseSettings withPoolMode(DatabaseSettings db, PoolMode mode) {
        return new DatabaseSettings(
                db.host(),
                db.port(),
                db.name(),
                db.user(),
                db.password(),
                db.sslMode(),
                db.poolSize(),
                mode,
                db.connectTimeout(),
                db.statementTimeout(),
                db.migrationTimeout());
    }

    public static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("eryao-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
