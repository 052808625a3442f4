package dev.eryao.cli.doctor;

import dev.eryao.core.config.DatabaseSettings;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Whether run event streams can be woken by notifications: the one connection per process that
 * {@code LISTEN}s needs a session (a direct connection or a session pooler), which a transaction
 * pooler cannot give. Without one, streams still work, reading their run every 2 s.
 */
final class ListenCheck implements Check {
    @Override
    public String name() {
        return "run events";
    }

    @Override
    public Finding run(DoctorContext context) throws Exception {
        DatabaseSettings db = context.settings().database();
        Optional<DataSource> listen = context.database().listenDataSource();
        if (listen.isEmpty()) {
            return Finding.warning(
                    "nothing to LISTEN on: behind a transaction pooler, event streams read the database"
                            + " every 2 s per open stream",
                    "set ERYAO_DATABASE__LISTEN_HOST and ERYAO_DATABASE__LISTEN_PORT to the session pooler (5432)"
                            + " or the direct connection");
        }
        try (Connection connection = listen.get().getConnection();
                Statement statement = connection.createStatement()) {
            connection.setAutoCommit(true);
            statement.execute("LISTEN eryao_doctor");
            statement.execute("UNLISTEN eryao_doctor");
        }
        DatabaseSettings.ListenAddress address = db.listenAddress().orElseThrow();
        return Finding.ok("LISTEN works at "
                + (address.host() == null ? "the embedded server" : address.host() + ":" + address.port())
                + ": one connection per process wakes every event stream");
    }
}
