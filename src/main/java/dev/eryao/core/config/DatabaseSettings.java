package dev.eryao.core.config;

import java.util.Optional;

/**
 * Where and how to connect to PostgreSQL, bound from {@code ERYAO_DATABASE__*}. With no host the
 * application starts its embedded PostgreSQL instead. {@code toString()} masks the password.
 *
 * @param host                    {@code ERYAO_DATABASE__HOST}; null means the embedded database
 * @param port                    {@code __PORT}
 * @param name                    {@code __NAME}, the database name
 * @param user                    {@code __USER}
 * @param password                {@code __PASSWORD}
 * @param sslMode                 {@code __SSLMODE}
 * @param poolSize                {@code __POOL_SIZE}, the most connections this process opens
 * @param poolMode                {@code __POOL_MODE}; unset means transaction on port 6543, session otherwise
 * @param connectTimeoutSeconds   {@code __CONNECT_TIMEOUT_SECONDS}, for opening one connection
 * @param statementTimeoutMs      {@code __STATEMENT_TIMEOUT_MS}, 0 for none
 * @param migrationTimeoutSeconds {@code __MIGRATION_TIMEOUT_SECONDS}, for each migration statement
 *                                and each lock a migration waits for, the migration lock included
 *                                (slow cloud links need more), 0 for none
 * @param lockTimeoutMs           {@code __LOCK_TIMEOUT_MS}, the longest the application's statements
 *                                wait for a lock, 0 for no limit but the statement timeout
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
        int connectTimeoutSeconds,
        int statementTimeoutMs,
        int migrationTimeoutSeconds,
        int lockTimeoutMs,
        String listenHost,
        int listenPort) {

    public static final int DEFAULT_PORT = 5432;
    /** Supabase's transaction pooler port: seeing it without an explicit pool mode implies that mode. */
    public static final int TRANSACTION_POOLER_PORT = 6543;
    public static final String DEFAULT_NAME = "postgres";
    public static final String DEFAULT_USER = "postgres";
    public static final SslMode DEFAULT_SSL_MODE = SslMode.PREFER;
    public static final int DEFAULT_POOL_SIZE = 10;
    public static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
    public static final int DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
    public static final int DEFAULT_MIGRATION_TIMEOUT_SECONDS = 600;
    public static final int DEFAULT_LOCK_TIMEOUT_MS = 10_000;

    static final String PREFIX = "ERYAO_DATABASE__";

    static DatabaseSettings read(VariableReader env) {
        int port = env.integer(PREFIX + "PORT", DEFAULT_PORT, 1, 65_535);
        PoolMode impliedMode = port == TRANSACTION_POOLER_PORT ? PoolMode.TRANSACTION : PoolMode.SESSION;
        return new DatabaseSettings(
                env.optionalString(PREFIX + "HOST"),
                port,
                env.string(PREFIX + "NAME", DEFAULT_NAME),
                env.string(PREFIX + "USER", DEFAULT_USER),
                env.secret(PREFIX + "PASSWORD"),
                env.choice(PREFIX + "SSLMODE", SslMode.class, DEFAULT_SSL_MODE),
                env.integer(PREFIX + "POOL_SIZE", DEFAULT_POOL_SIZE, 1, 1_000),
                env.choice(PREFIX + "POOL_MODE", PoolMode.class, impliedMode),
                env.integer(PREFIX + "CONNECT_TIMEOUT_SECONDS", DEFAULT_CONNECT_TIMEOUT_SECONDS, 1, 600),
                env.integer(PREFIX + "STATEMENT_TIMEOUT_MS", DEFAULT_STATEMENT_TIMEOUT_MS, 0, 86_400_000),
                env.integer(PREFIX + "MIGRATION_TIMEOUT_SECONDS", DEFAULT_MIGRATION_TIMEOUT_SECONDS, 0, 86_400),
                env.integer(PREFIX + "LOCK_TIMEOUT_MS", DEFAULT_LOCK_TIMEOUT_MS, 0, 86_400_000),
                env.optionalString(PREFIX + "LISTEN_HOST"),
                env.integer(PREFIX + "LISTEN_PORT", 0, 0, 65_535));
    }

    /** The settings as they were before the LISTEN address existed: the pool's own address. */
    public DatabaseSettings(String host, int port, String name, String user, Secret password, SslMode sslMode,
                            int poolSize, PoolMode poolMode, int connectTimeoutSeconds, int statementTimeoutMs,
                            int migrationTimeoutSeconds, int lockTimeoutMs) {
        this(host, port, name, user, password, sslMode, poolSize, poolMode, connectTimeoutSeconds, statementTimeoutMs,
                migrationTimeoutSeconds, lockTimeoutMs, null, 0);
    }

    /** The settings as they were before the lock timeout existed; it takes its default. */
    public DatabaseSettings(String host, int port, String name, String user, Secret password, SslMode sslMode,
                            int poolSize, PoolMode poolMode, int connectTimeoutSeconds, int statementTimeoutMs,
                            int migrationTimeoutSeconds) {
        this(host, port, name, user, password, sslMode, poolSize, poolMode, connectTimeoutSeconds, statementTimeoutMs,
                migrationTimeoutSeconds, DEFAULT_LOCK_TIMEOUT_MS);
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
        return new DatabaseSettings(newHost, newPort, name, newUser, password, newSslMode, poolSize, poolMode,
                connectTimeoutSeconds, statementTimeoutMs, migrationTimeoutSeconds, lockTimeoutMs, listenHost,
                listenPort);
    }

    /** The same settings with the LISTEN connection at this address (0 or null: the pool's). */
    public DatabaseSettings listeningAt(String newListenHost, int newListenPort) {
        return new DatabaseSettings(host, port, name, user, password, sslMode, poolSize, poolMode,
                connectTimeoutSeconds, statementTimeoutMs, migrationTimeoutSeconds, lockTimeoutMs, newListenHost,
                newListenPort);
    }

    /**
     * Where the connection that LISTENs for run events goes: the configured listen address, else
     * the pool's own address in session mode; empty in transaction mode with no listen address.
     */
    public Optional<ListenAddress> listenAddress() {
        if (listenHost != null || listenPort != 0) {
            return Optional.of(new ListenAddress(listenHost != null ? listenHost : host,
                    listenPort != 0 ? listenPort : port));
        }
        return poolMode == PoolMode.SESSION && host != null ? Optional.of(new ListenAddress(host, port))
                : Optional.empty();
    }

    /** A host and port to LISTEN on. */
    public record ListenAddress(String host, int port) {
    }

    /** The same settings with other timeouts (statement and lock in ms, migration in seconds). */
    public DatabaseSettings withTimeouts(int newStatementTimeoutMs, int newLockTimeoutMs, int newMigrationTimeoutSeconds) {
        return new DatabaseSettings(host, port, name, user, password, sslMode, poolSize, poolMode,
                connectTimeoutSeconds, newStatementTimeoutMs, newMigrationTimeoutSeconds, newLockTimeoutMs, listenHost,
                listenPort);
    }

    /** The same settings in another pool mode. */
    public DatabaseSettings withPoolMode(PoolMode newPoolMode) {
        return new DatabaseSettings(host, port, name, user, password, sslMode, poolSize, newPoolMode,
                connectTimeoutSeconds, statementTimeoutMs, migrationTimeoutSeconds, lockTimeoutMs, listenHost,
                listenPort);
    }

    /** Where this connects, for messages; never includes the password. */
    public String describe() {
        return (host == null ? "embedded PostgreSQL" : user + "@" + host + ":" + port + "/" + name)
                + " (" + VariableReader.word(poolMode) + " pool mode)";
    }
}
