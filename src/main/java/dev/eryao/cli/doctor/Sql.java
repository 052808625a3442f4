package dev.eryao.cli.doctor;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Reads for the checks, on a connection from the application's pool, rolled back after. */
final class Sql {
    @FunctionalInterface
    interface Row<T> {
        T read(ResultSet row) throws SQLException;
    }

    private Sql() {}

    static <T> List<T> rows(DataSource source, String sql, Row<T> row) throws SQLException {
        try (Connection connection = source.getConnection()) {
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(sql)) {
                List<T> found = new ArrayList<>();
                while (rows.next()) {
                    found.add(row.read(rows));
                }
                return found;
            } finally {
                if (!connection.getAutoCommit()) {
                    connection.rollback();
                }
            }
        }
    }

    static <T> T one(DataSource source, String sql, Row<T> row) throws SQLException {
        List<T> found = rows(source, sql, row);
        if (found.size() != 1) {
            throw new SQLException("expected one row from: " + sql);
        }
        return found.getFirst();
    }
}
