package dev.eryao.core.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import com.zaxxer.hikari.pool.HikariPool;
import dev.eryao.core.Causes;
import dev.eryao.core.config.DatabaseSettings;
import dev.eryao.core.config.PoolMode;
import dev.eryao.core.config.Secret;
import dev.eryao.core.config.Settings;
import dev.eryao.core.config.SslMode;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The connection layer: the embedded server when no host is configured, and one HikariCP pool of
 * pgjdbc connections shaped for the pool mode. Opening it proves the database answers, so an
 * unreachable server fails start-up with one clear {@link DatabaseUnavailableException}.
 *
 * <p>The statement and lock timeouts are set with SQL ({@link Timeouts}), never only as start-up
 * options, which Supabase's pooler drops: in session mode each pooled connection runs
 * {@link Timeouts#sessionSql()} when it opens. In {@link PoolMode#TRANSACTION} mode consecutive
 * transactions may land on different server sessions: pgjdbc then uses no named server-side
 * prepared statements ({@code prepareThreshold=0}), no fetch size (a cursor would not outlive the
 * transaction) and no session settings at all; each transaction sets its timeouts with
 * {@code SET LOCAL} ({@link #perTransactionSql()}, run by {@link Transactions}), and Hibernate also
 * bounds each query from the client side, which covers the read-only units that run in autocommit
 * (no transaction for a {@code SET LOCAL} to live in).
 */
public final class Database implements AutoCloseable {
    private final EmbeddedDatabase embedded;
    private final HikariDataSource dataSource;
    private final DatabaseSettings settings;

    private Database(EmbeddedDatabase embedded, HikariDataSource dataSource, DatabaseSettings settings) {
        this.embedded = embedded;
        this.dataSource = dataSource;
        this.settings = settings;
    }

    public static Database open(Settings settings) {
        return open(settings, Map.of());
    }

    /** @param embeddedServerConfig {@code postgresql.conf} settings used only if the embedded server starts */
    public static Database open(Settings settings, Map<String, String> embeddedServerConfig) {
        DatabaseSettings configured = settings.database();
        EmbeddedDatabase embedded = null;
        DatabaseSettings effective = configured;
        if (configured.embedded()) {
            embedded = EmbeddedDatabase.start(settings.dataDir(), embeddedServerConfig);
            effective = configured.at(embedded.host(), embedded.port(), EmbeddedDatabase.SUPERUSER, SslMode.DISABLE);
        }
        try {
            return new Database(embedded, connect(effective), effective);
        } catch (RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
    }

    /** The pool; connections come with auto-commit off. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** The settings in effect, pointing at the embedded server when that is what runs. */
    public DatabaseSettings settings() {
        return settings;
    }

    /** The application's statement and lock timeouts. */
    public Timeouts timeouts() {
        return timeoutsOf(settings);
    }

    /**
     * The SQL each transaction must start with in {@link PoolMode#TRANSACTION} mode (its timeouts,
     * as {@code SET LOCAL}); empty in session mode, where the pool set them when the connection opened.
     */
    public Optional<String> perTransactionSql() {
        return settings.poolMode() == PoolMode.TRANSACTION
                ? Optional.of(timeouts().transactionSql())
                : Optional.empty();
    }

    /**
     * Reports the pool to {@code registry} through HikariCP's own Micrometer binding
     * ({@code hikaricp.connections.active}, {@code .idle}, {@code .pending}, {@code .acquire}, …,
     * tagged {@code pool="eryao"}). A pool reports to one registry only: the first app built on it
     * binds it, and a second one (tests build several apps on one database) is told false.
     */
    public synchronized boolean reportPoolTo(MeterRegistry registry) {
        if (dataSource.getMetricsTrackerFactory() != null) {
            return false;
        }
        dataSource.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        return true;
    }

    public String jdbcUrl() {
        return dataSource.getJdbcUrl();
    }

    /**
     * A separate, unpooled source of auto-commit connections to the same server, for tools that
     * manage their own transactions and locks (migrations): they must not share the pool's
     * transactions, and their statements get their own timeout (zero for none), which also bounds
     * each lock they wait for. Set with {@code SET} as each connection opens, so a session pooler
     * that drops start-up options cannot lose it. Not in {@link PoolMode#TRANSACTION} mode: there a
     * {@code SET} would stay on a server session that other clients get next, so these connections
     * carry no timeout (migrations refuse that mode anyway; run the others through the session
     * pooler to have one).
     */
    public DataSource unpooledDataSource(Duration statementTimeout) {
        PGSimpleDataSource plain = plain(settings.user(), settings.password());
        if (settings.poolMode() == PoolMode.TRANSACTION) {
            plain.setPrepareThreshold(0);
            return plain;
        }
        return new SessionSettingDataSource(
                plain, Timeouts.of(statementTimeout, statementTimeout).sessionSql());
    }

    /**
     * A separate, unpooled source of connections to the same server and database that log in as
     * another role (the data-viewing tools' read-only reader). It sends no session options, which
     * a transaction-mode pooler would refuse or drop: callers set what they need per transaction.
     * In {@link PoolMode#TRANSACTION} mode it uses no named server-side prepared statements.
     */
    public DataSource unpooledDataSource(String user, Secret password) {
        PGSimpleDataSource plain = plain(user, password);
        if (settings.poolMode() == PoolMode.TRANSACTION) {
            plain.setPrepareThreshold(0);
        }
        return plain;
    }

    /**
     * Where the one connection that LISTENs for notifications comes from
     * ({@link DatabaseSettings#listenAddress()}): unpooled, auto-commit, no session options. Empty
     * when there is no such address (a transaction pooler alone cannot LISTEN).
     */
    public Optional<DataSource> listenDataSource() {
        return settings.listenAddress().map(address -> {
            PGSimpleDataSource plain = plain(settings.user(), settings.password());
            plain.setServerNames(new String[] {address.host()});
            plain.setPortNumbers(new int[] {address.port()});
            plain.setApplicationName("eryao-listen");
            plain.setTcpKeepAlive(true);
            plain.setSocketFactory(ListenSocketFactory.class.getName());
            return plain;
        });
    }

    private PGSimpleDataSource plain(String user, Secret password) {
        PGSimpleDataSource plain = new PGSimpleDataSource();
        plain.setServerNames(new String[] {settings.host()});
        plain.setPortNumbers(new int[] {settings.port()});
        plain.setDatabaseName(settings.name());
        plain.setUser(user);
        plain.setPassword(password.reveal());
        plain.setSslMode(settings.sslMode().pgValue());
        plain.setConnectTimeout(connectSeconds(settings));
        plain.setApplicationName("eryao");
        return plain;
    }

    @Override
    public void close() {
        try {
            dataSource.close();
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private static HikariDataSource connect(DatabaseSettings db) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("eryao");
        config.setJdbcUrl("jdbc:postgresql://" + db.host() + ":" + db.port() + "/" + db.name());
        config.setUsername(db.user());
        config.setPassword(db.password().reveal());
        config.setMaximumPoolSize(db.poolSize());
        config.setMinimumIdle(Math.min(2, db.poolSize()));
        config.setAutoCommit(false);
        long connectMillis = db.connectTimeout().toMillis();
        config.setConnectionTimeout(connectMillis);
        // Fail start-up, not the first request, when the server cannot be reached.
        config.setInitializationFailTimeout(connectMillis);
        // Driver properties must be strings: pgjdbc reads them with Properties.getProperty.
        config.addDataSourceProperty("connectTimeout", String.valueOf(connectSeconds(db)));
        config.addDataSourceProperty("sslmode", db.sslMode().pgValue());
        config.addDataSourceProperty("ApplicationName", "eryao");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        if (db.poolMode() == PoolMode.TRANSACTION) {
            config.addDataSourceProperty("prepareThreshold", "0");
            config.addDataSourceProperty("preparedStatementCacheQueries", "0");
            config.addDataSourceProperty("defaultRowFetchSize", "0");
        } else {
            // Run once per new connection. HikariCP commits it only with isolated internal queries;
            // otherwise it would share the first unit of work's transaction, and a rollback there
            // would undo it. (Its other internal work is isValid(), which sends no SQL.)
            config.setConnectionInitSql(timeoutsOf(db).sessionSql());
            config.setIsolateInternalQueries(true);
        }
        try {
            return new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            throw new DatabaseUnavailableException("cannot connect to " + db.describe() + ": " + rootMessage(e), e);
        }
    }

    private static Timeouts timeoutsOf(DatabaseSettings db) {
        return Timeouts.of(db.statementTimeout(), db.lockTimeout());
    }

    /** pgjdbc takes whole seconds: a part of one rounds up, so a short timeout never means none (0). */
    private static int connectSeconds(DatabaseSettings db) {
        return Math.toIntExact(db.connectTimeout().plusNanos(999_999_999).toSeconds());
    }

    private static String rootMessage(Throwable error) {
        Throwable root = Causes.root(error);
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
