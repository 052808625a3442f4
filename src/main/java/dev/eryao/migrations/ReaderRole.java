package dev.eryao.migrations;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Makes revision 20261124_0002 (read_only_role) applicable where the migrating login may not
 * create a {@code BYPASSRLS} role: on PostgreSQL 15 only a superuser may, and Supabase's
 * {@code postgres} is not one (16+ lets a {@code CREATEROLE} login that has {@code BYPASSRLS}
 * itself). There, before Flyway runs, this creates {@code eryao_reader} exactly as that revision
 * would but without {@code BYPASSRLS}; the revision's {@code IF NOT EXISTS} then skips the
 * creation and grants as usual. Such a reader sees rows through the {@code <table>_reader}
 * policies of revision 20261125_0004 instead of bypassing RLS. Applied revisions stay untouched.
 */
final class ReaderRole {
    /** The revision that creates the role. */
    static final String REVISION = "20261124_0002";

    /** Creates the role only when it is missing and this login cannot give it BYPASSRLS. */
    static final String SQL = """
            DO $reader$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'eryao_reader')
                   AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user
                               AND rolcreaterole AND NOT rolsuper
                               AND (NOT rolbypassrls OR current_setting('server_version_num')::int < 160000)) THEN
                    CREATE ROLE eryao_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION
                        NOBYPASSRLS CONNECTION LIMIT 10;
                    ALTER ROLE eryao_reader SET default_transaction_read_only = on;
                END IF;
            END
            $reader$;""";

    private ReaderRole() {}

    static void createWhereBypassRlsIsOutOfReach(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(SQL);
        }
    }
}
