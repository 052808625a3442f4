package dev.eryao.migrations;

import dev.eryao.core.db.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * {@code eryao init-data}: applies the seed files in {@code <root>/seed} (the LLM catalog), in
 * name order, in one transaction under its own lock. Each seed's checksum is kept in
 * {@code seed_data_history}, apart from the schema's revisions: an unchanged seed is skipped, an
 * edited one runs again. Seeds are written as upserts, so running one again updates its rows
 * instead of duplicating them.
 */
public final class SeedData {
    public static final String DEFAULT_ROOT = "db";
    /** An advisory lock of its own, so two init-data runs apply each seed once. */
    private static final long LOCK_KEY = MigrationLock.KEY + 1;

    private final DataSource dataSource;
    private final String root;
    private final Consumer<String> progress;

    public SeedData(Database database, Consumer<String> progress) {
        this(database, DEFAULT_ROOT, progress);
    }

    /** @param root classpath folder whose {@code seed/} holds the seed files */
    public SeedData(Database database, String root, Consumer<String> progress) {
        this.dataSource = database.unpooledDataSource(database.settings().migrationTimeout());
        this.root = root;
        this.progress = progress;
    }

    /** Applies new and edited seeds; returns how many ran. */
    public int apply() {
        ClassLoader loader = SeedData.class.getClassLoader();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                lock(connection);
                requireHistoryTable(connection);
                int applied = 0;
                for (String file : ClasspathFolder.list(loader, root + "/seed")) {
                    String name = file.replaceFirst("\\.sql$", "");
                    String sql = ClasspathFolder.read(loader, root + "/seed/" + file);
                    applied += applyOne(connection, name, sql) ? 1 : 0;
                }
                connection.commit();
                return applied;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new MigrationFailedException(
                    "init-data failed, so nothing was changed: "
                            + e.getMessage().strip(),
                    e);
        }
    }

    private boolean applyOne(Connection connection, String name, String sql) throws SQLException {
        String checksum = sha256(sql);
        if (checksum.equals(appliedChecksum(connection, name))) {
            progress.accept("seed " + name + " unchanged");
            return false;
        }
        long started = System.nanoTime();
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new MigrationFailedException(
                    "seed " + name + " failed, so nothing was changed: "
                            + e.getMessage().strip(),
                    e);
        }
        try (PreparedStatement record = connection.prepareStatement("""
                INSERT INTO seed_data_history (name, checksum) VALUES (?, ?)
                ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, updated_at = now()""")) {
            record.setString(1, name);
            record.setString(2, checksum);
            record.executeUpdate();
        }
        progress.accept("seeding " + name + " ... " + Migrations.millisSince(started) + " ms");
        return true;
    }

    private static String appliedChecksum(Connection connection, String name) throws SQLException {
        try (PreparedStatement query =
                connection.prepareStatement("SELECT checksum FROM seed_data_history WHERE name = ?")) {
            query.setString(1, name);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    private static void lock(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
        }
    }

    private static void requireHistoryTable(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT to_regclass('public.seed_data_history') IS NOT NULL")) {
            row.next();
            if (!row.getBoolean(1)) {
                throw new MigrationFailedException(
                        "the schema has no seed_data_history yet: run `eryao migrate` (or `eryao bootstrap`) first",
                        null);
            }
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
