package dev.eryao.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.config.DatabaseSettings;
import dev.eryao.core.db.Database;
import dev.eryao.support.OptionsDroppingProxy;
import dev.eryao.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The statement-timeout check catches a pooler that dropped the timeout: connections that send it
 * only as a start-up option (as the backend once did) through a proxy that drops options as
 * Supabase's pooler does.
 */
class StatementTimeoutCheckTest {
    private final TestDatabase server = TestDatabase.get();

    @Test
    void aTimeoutSentOnlyAsAStartUpOptionAndDroppedByThePoolerIsCaught() throws Exception {
        DatabaseSettings direct = server.sessionSettings();
        try (OptionsDroppingProxy proxy = new OptionsDroppingProxy(direct.host(), direct.port());
                Database throughProxy = Database.open(server.settings()
                        .withDatabase(direct.at(proxy.host(), proxy.port(), direct.user(), direct.sslMode())))) {
            DoctorContext context =
                    new DoctorContext(server.settings().withDatabase(throughProxy.settings()), throughProxy);
            int configured =
                    Math.toIntExact(throughProxy.settings().statementTimeout().toMillis());

            PGSimpleDataSource optionsOnly = new PGSimpleDataSource();
            optionsOnly.setServerNames(new String[] {proxy.host()});
            optionsOnly.setPortNumbers(new int[] {proxy.port()});
            optionsOnly.setDatabaseName(direct.name());
            optionsOnly.setUser(direct.user());
            optionsOnly.setPassword(direct.password().reveal());
            optionsOnly.setSslMode("disable");
            optionsOnly.setOptions("-c statement_timeout=" + configured);
            Finding dropped = new StatementTimeoutCheck(optionsOnly).run(context);

            assertThat(proxy.droppedOptions()).isPositive();
            assertThat(dropped.status()).as(dropped.toString()).isEqualTo(Finding.Status.FAILED);
            assertThat(dropped.line("statement timeout"))
                    .startsWith("✗ statement timeout: a pooled connection runs with")
                    .contains("not the configured " + configured + "ms")
                    .contains("— fix:");

            Finding applicationPool = new StatementTimeoutCheck().run(context);
            assertThat(applicationPool.status())
                    .as("the application's own pool sets it with SQL: " + applicationPool)
                    .isEqualTo(Finding.Status.OK);
        }
    }

    @Test
    void postgresqlsUnitsAreComparedInMilliseconds() {
        assertThat(StatementTimeoutCheck.milliseconds("30s")).isEqualTo(StatementTimeoutCheck.milliseconds("30000ms"));
        assertThat(StatementTimeoutCheck.milliseconds("1min")).isEqualTo("60000");
        assertThat(StatementTimeoutCheck.milliseconds("0")).isEqualTo(StatementTimeoutCheck.milliseconds("0ms"));
        assertThat(StatementTimeoutCheck.milliseconds("300ms")).isNotEqualTo(StatementTimeoutCheck.milliseconds("3s"));
    }
}
