package dev.eryao.bench;

import dev.eryao.core.config.DatabaseSettings;
import dev.eryao.core.config.Settings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Plain JDBC connections (autocommit) with the application's database settings, for the benchmarks' own SQL. */
final class BenchDb {
    private BenchDb() {
    }

    /** A connection to the application's database. */
    static Connection connect() throws SQLException {
        DatabaseSettings settings = Settings.load().database();
        return connect(settings, settings.name());
    }

    /** A connection to {@code database} on the application's server. */
    static Connection connect(String database) throws SQLException {
        return connect(Settings.load().database(), database);
    }

    private static Connection connect(DatabaseSettings settings, String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", settings.user());
        if (settings.password() != null && !settings.password().isEmpty()) {
            properties.setProperty("password", settings.password().reveal());
        }
        properties.setProperty("sslmode", "disable");
        return DriverManager.getConnection("jdbc:postgresql://" + settings.host() + ":" + settings.port() + "/"
                + database, properties);
    }
}
