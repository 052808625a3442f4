package dev.eryao.core.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Where and how to connect to PostgreSQL, bound from {@code ERYAO_DATABASE__*}; the constructor
 * refuses a value out of range, by variable. With no host the application starts its embedded
 * PostgreSQL instead. {@code toString()} masks the password.
 *
 * @param host                    {@code ERYAO_DATABASE__HOST}; null means the embedded database
 * @param port                    {@code __PORT}
 * @param name                    {@code __NAME}, the database name
 * @param user                    {@code __USER}
 * @param password                {@code __PASSWORD}
 * @param sslMode                 {@code __SSLMODE}
 * @param poolSize                {@code __POOL_SIZE}, the most connections this process opens
 * @param poolMode                {@code __POOL_MODE}; unset means transaction on port 6543, session otherwise
 * @param connectTimeout          {@code __CONNECT_TIMEOUT_SECONDS}, for opening one connection
 * @param statementTimeout        {@code __STATEMENT_TIMEOUT_MS}, zero for none
 * @param migrationTimeout        {@code __MIGRATION_TIMEOUT_SECONDS}, for each migration statement
 *                                and each lock a migration waits for, the migration lock included
 *                                (slow cloud links need more), zero for none
 * @param lockTimeout             {@code __LOCK_TIMEOUT_MS}, the longest the application's statements
 *                                wait for a lock, zero for no limit but the statement timeout
 * @param listenHost              {@code __LISTEN_HOST}, where the one connection that LISTENs for run
 *                                events goes (a session-mode or direct address); null: the host above
 * @param listenPort              {@code __LISTEN_PORT}; 0: the port above. In transaction pool mode
 *                                nothing is LISTENed unless one of the two is set (a transaction
 *                                pooler cannot LISTEN): event streams then poll slowly instead
 *
 * <p>All three are applied with SQL ({@code SET} / {@code SET LOCAL}), never only as start-up
 * {@code options}: Supabase's pooler drops those (see {@code dev.eryao.core.db.Timeouts}).
 */
public record DatabaseSettings(
        String host,
        int port,
        String name,
        String user,
        Secret password,
        SslMode sslMode,
        int poolSize,
        PoolMode poolMode,
        Duration connectTimeout,
        Duration statementTimeout,
        Duration migrationTimeout,
        Duration lockTimeout,
        String listenHost,
        int listenPort) {

    public static final int DEFAULT_PORT = 5432;
    /** Supabase's transaction pooler port: seeing it without an explicit pool mode implies that mode. */
    public static final int TRANSACTION_POOLER_PORT = 6543;

    public static final String DEFAULT_NAME = "postgres";
    public static final String DEFAULT_USER = "postgres";
    public static final SslMode DEFAULT_SSL_MODE = SslMode.PREFER;
    public static final int DEFAULT_POOL_SIZE = 10;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MIGRATION_TIMEOUT = Duration.ofMinutes(10);
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(10);

    static final String PREFIX = "ERYAO_DATABASE__";
    static final NumberVariable PORT = NumberVariable.count(PREFIX + "PORT", 1, 65_535);
    static final NumberVariable POOL_SIZE = NumberVariable.count(PREFIX + "POOL_SIZE", 1, 1_000);
    static final NumberVariable CONNECT_TIMEOUT = NumberVariable.seconds(PREFIX + "CONNECT_TIMEOUT_SECONDS", 1, 600);
    static final NumberVariable STATEMENT_TIMEOUT =
            NumberVariable.millis(PREFIX + "STATEMENT_TIMEOUT_MS", 0, 86_400_000);
    static final NumberVariable MIGRATION_TIMEOUT =
            NumberVariable.seconds(PREFIX + "MIGRATION_TIMEOUT_SECONDS", 0, 86_400);
    static final NumberVariable LOCK_TIMEOUT = NumberVariable.millis(PREFIX + "LOCK_TIMEOUT_MS", 0, 86_400_000);
    static final NumberVariable LISTEN_PORT = NumberVariable.count(PREFIX + "LISTEN_PORT", 0, 65_535);

    public DatabaseSettings {
        PORT.check(port);
        SettingsException.required(PREFIX + "NAME", name);
        SettingsException.required(PREFIX + "USER", user);
        SettingsException.required(PREFIX + "PASSWORD", password);
        SettingsException.required(PREFIX + "SSLMODE", sslMode);
        SettingsException.required(PREFIX + "POOL_MODE", poolMode);
        POOL_SIZE.check(poolSize);
        CONNECT_TIMEOUT.check(connectTimeout);
        STATEMENT_TIMEOUT.check(statementTimeout);
        MIGRATION_TIMEOUT.check(migrationTimeout);
        LOCK_TIMEOUT.check(lockTimeout);
        LISTEN_PORT.check(listenPort);
    }

    static DatabaseSettings read(VariableReader env) {
        int port = PORT.read(env, DEFAULT_PORT);
        PoolMode impliedMode = port == TRANSACTION_POOLER_PORT ? PoolMode.TRANSACTION : PoolMode.SESSION;
        return new DatabaseSettings(
                env.optionalString(PREFIX + "HOST"),
                port,
                env.string(PREFIX + "NAME", DEFAULT_NAME),
                env.string(PREFIX + "USER", DEFAULT_USER),
                env.secret(PREFIX + "PASSWORD"),
                env.choice(PREFIX + "SSLMODE", SslMode.class, DEFAULT_SSL_MODE),
                POOL_SIZE.read(env, DEFAULT_POOL_SIZE),
                env.choice(PREFIX + "POOL_MODE", PoolMode.class, impliedMode),
                CONNECT_TIMEOUT.read(env, DEFAULT_CONNECT_TIMEOUT),
                STATEMENT_TIMEOUT.read(env, DEFAULT_STATEMENT_TIMEOUT),
                MIGRATION_TIMEOUT.read(env, DEFAULT_MIGRATION_TIMEOUT),
                LOCK_TIMEOUT.read(env, DEFAULT_LOCK_TIMEOUT),
                env.optionalString(PREFIX + "LISTEN_HOST"),
                LISTEN_PORT.read(env, 0));
    }

    /** The settings as they were before the LISTEN address existed: the pool's own address. */
    public DatabaseSettings(
            String host,
            int port,
            String name,
            String user,
            Secret password,
            SslMode sslMode,
            int poolSize,
            PoolMode poolMode,
            Duration connectTimeout,
            Duration statementTimeout,
            Duration migrationTimeout,
            Duration lockTimeout) {
        this(
                host,
                port,
                name,
                user,
                password,
                sslMode,
                poolSize,
                poolMode,
                connectTimeout,
                statementTimeout,
                migrationTimeout,
                lockTimeout,
                null,
                0);
    }

    /** The settings as they were before the lock timeout existed; it takes its default. */
    public DatabaseSettings(
            String host,
            int port,
            String name,
            String user,
            Secret password,
            SslMode sslMode,
            int poolSize,
            PoolMode poolMode,
            Duration connectTimeout,
            Duration statementTimeout,
            Duration migrationTimeout) {
        this(
                host,
                port,
                name,
                user,
                password,
                sslMode,
                poolSize,
                poolMode,
                connectTimeout,
                statementTimeout,
                migrationTimeout,
                DEFAULT_LOCK_TIMEOUT);
    }

    /** The configured server, or empty when the embedded database is to be used. */
    public Optional<String> configuredHost() {
        return Optional.ofNullable(host);
    }

    public boolean embedded() {
        return host == null;
    }

    /** The same settings pointed at another server (the embedded one, once it listens); a listen address stays. */
    public DatabaseSettings at(String newHost, int newPort, String newUser, SslMode newSslMode) {
        return new DatabaseSettings(
                newHost,
                newPort,
                name,
                newUser,
                password,
                newSslMode,
                poolSize,
                poolMode,
                connectTimeout,
                statementTimeout,
                migrationTimeout,
                lockTimeout,
                listenHost,
                listenPort);
    }

    /** The same settings with the LISTEN connection at this address (0 or null: the pool's). */
    public DatabaseSettings listeningAt(String newListenHost, int newListenPort) {
        return new DatabaseSettings(
                host,
                port,
                name,
                user,
                password,
                sslMode,
                poolSize,
                poolMode,
                connectTimeout,
                statementTimeout,
                migrationTimeout,
                lockTimeout,
                newListenHost,
                newListenPort);
    }

    /**
     * Where the connection that LISTENs for run events goes: the configured listen address, else
     * the pool's own address in session mode; empty in transaction mode with no listen address.
     */
    public Optional<ListenAddress> listenAddress() {
        if (listenHost != null || listenPort != 0) {
            return Optional.of(
                    new ListenAddress(listenHost != null ? listenHost : host, listenPort != 0 ? listenPort : port));
        }
        return poolMode == PoolMode.SESSION && host != null
                ? Optional.of(new ListenAddress(host, port))
                : Optional.empty();
    }

    /** A host and port to LISTEN on. */
    public record ListenAddress(String host, int port) {}

    /** The same settings with other timeouts. */
    public DatabaseSettings withTimeouts(
            Duration newStatementTimeout, Duration newLockTimeout, Duration newMigrationTimeout) {
        return new DatabaseSettings(
                host,
                port,
                name,
                user,
                password,
                sslMode,
                poolSize,
                poolMode,
                connectTimeout,
                newStatementTimeout,
                newMigrationTimeout,
                newLockTimeout,
                listenHost,
                listenPort);
    }

    /** The same settings in another pool mode. */
    public DatabaseSettings withPoolMode(PoolMode newPoolMode) {
        return new DatabaseSettings(
                host,
                port,
                name,
                user,
                password,
                sslMode,
                poolSize,
                newPoolMode,
                connectTimeout,
                statementTimeout,
                migrationTimeout,
                lockTimeout,
                listenHost,
                listenPort);
    }

    /** Where this connects, for messages; never includes the password. */
    public String describe() {
        return (host == null ? "embedded PostgreSQL" : user + "@" + host + ":" + port + "/" + name) + " ("
                + VariableReader.word(poolMode) + " pool mode)";
    }
}
