package dev.eryao.migrations;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes Flyway's history table the way Flyway does, for what Flyway's free edition
 * does not do (downgrade, stamp, offline scripts). Rows written here are indistinguishable from
 * Flyway's, so a later {@code migrate} carries on from them.
 */
final class HistoryTable {
    static final String NAME = Migrations.HISTORY_TABLE;

    /** Flyway's own DDL for PostgreSQL, so a table made here is the table Flyway would make. */
    static final String CREATE_SQL = """
            CREATE TABLE IF NOT EXISTS "public"."%1$s" (
                "installed_rank" INT NOT NULL,
                "version" VARCHAR(50),
                "description" VARCHAR(200) NOT NULL,
                "type" VARCHAR(20) NOT NULL,
                "script" VARCHAR(1000) NOT NULL,
                "checksum" INTEGER,
                "installed_by" VARCHAR(100) NOT NULL,
                "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
                "execution_time" INTEGER NOT NULL,
                "success" BOOLEAN NOT NULL,
                CONSTRAINT "%1$s_pk" PRIMARY KEY ("installed_rank")
            );
            CREATE INDEX IF NOT EXISTS "%1$s_s_idx" ON "public"."%1$s" ("success");
            ALTER TABLE "public"."%1$s" ENABLE ROW LEVEL SECURITY;""".formatted(NAME) + "\n" + lockSql();

    /**
     * Closes the table to Supabase's API roles. It lives in {@code public}, the schema Supabase's
     * Data API serves, and Supabase's default privileges give anon and authenticated ALL on every
     * table created there: RLS with no policy hides its rows, but TRUNCATE, REFERENCES and TRIGGER
     * ignore RLS, so the privileges go too. Idempotent, and it changes nothing (takes no lock) when
     * the table is already closed; on a server without those roles it only checks RLS.
     */
    static String lockSql() {
        return """
                DO $lock$
                DECLARE api_role text;
                BEGIN
                    IF NOT (SELECT relrowsecurity FROM pg_class WHERE oid = 'public.%1$s'::regclass) THEN
                        ALTER TABLE public.%1$s ENABLE ROW LEVEL SECURITY;
                    END IF;
                    FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated'] LOOP
                        IF EXISTS (SELECT 1 FROM aclexplode((SELECT relacl FROM pg_class
                                                             WHERE oid = 'public.%1$s'::regclass)) acl
                                   JOIN pg_roles r ON r.oid = acl.grantee WHERE r.rolname = api_role) THEN
                            EXECUTE format('REVOKE ALL ON public.%1$s FROM %%I', api_role);
                        END IF;
                    END LOOP;
                END
                $lock$;""".formatted(NAME);
    }

    /** A revision recorded as applied. */
    record Applied(String id, Integer checksum, OffsetDateTime installedOn) {}

    private HistoryTable() {}

    static boolean exists(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT to_regclass('public." + NAME + "') IS NOT NULL")) {
            row.next();
            return row.getBoolean(1);
        }
    }

    /** Successfully applied versioned revisions, oldest first; empty when the table does not exist. */
    static List<Applied> applied(Connection connection) throws SQLException {
        List<Applied> applied = new ArrayList<>();
        if (!exists(connection)) {
            return applied;
        }
        try (Statement statement = connection.createStatement();
                ResultSet rows =
                        statement.executeQuery("SELECT version, checksum, installed_on::timestamptz FROM public." + NAME
                                + " WHERE success AND version IS NOT NULL ORDER BY installed_rank")) {
            while (rows.next()) {
                Object checksum = rows.getObject(2);
                // Flyway stores a naive timestamp in the session's time zone; the cast reads it back as one.
                OffsetDateTime installedOn = rows.getObject(3, OffsetDateTime.class);
                applied.add(new Applied(
                        Revision.idOfFlywayVersion(rows.getString(1)),
                        checksum == null ? null : ((Number) checksum).intValue(),
                        installedOn));
            }
        }
        return applied;
    }

    /**
     * Creates the table if it is missing and closes it to the API roles, in the caller's
     * transaction: done before Flyway runs anything, so even a first migrate that fails at its first
     * revision leaves no history open to the anon key.
     */
    static void createLocked(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(CREATE_SQL);
        }
    }

    static void insert(Connection connection, Revision revision, int executionMillis) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate(insertSql(revision, executionMillis));
        }
    }

    static void delete(Connection connection, Revision revision) throws SQLException {
        try (PreparedStatement statement =
                connection.prepareStatement("DELETE FROM public." + NAME + " WHERE version = ?")) {
            statement.setString(1, revision.flywayVersion());
            statement.executeUpdate();
        }
    }

    /** The row Flyway writes after applying {@code revision}, as one literal statement. */
    static String insertSql(Revision revision, int executionMillis) {
        return "INSERT INTO public." + NAME + " (installed_rank, version, description, type, script, checksum,"
                + " installed_by, execution_time, success) VALUES ("
                + "(SELECT coalesce(max(installed_rank), 0) + 1 FROM public." + NAME + "), "
                + literal(revision.flywayVersion()) + ", " + literal(revision.description()) + ", 'SQL', "
                + literal(revision.script()) + ", " + revision.checksum() + ", current_user, "
                + executionMillis + ", true)";
    }

    static String deleteSql(Revision revision) {
        return "DELETE FROM public." + NAME + " WHERE version = " + literal(revision.flywayVersion());
    }

    /** A SQL string literal; revision names are {@code [a-z0-9_.]} but quote them properly anyway. */
    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
