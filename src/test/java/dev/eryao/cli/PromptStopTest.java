package dev.eryao.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.eryao.core.db.Database;
import dev.eryao.support.ServeProcess;
import dev.eryao.support.ServeProcess.Stopped;
import dev.eryao.support.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve} and {@code worker}, idle with their worker threads running, end on SIGTERM and on
 * SIGINT with the status the JVM gives a signalled process (128 + the signal: 143, 130) and
 * without a stack trace in what they print. How long each took is logged, not asserted: the
 * bound waited for is only there so a hung process fails the test instead of the build.
 */
class PromptStopTest {
    private static final Logger log = LoggerFactory.getLogger(PromptStopTest.class);
    private static final Duration ENDS_WITHIN = Duration.ofSeconds(30);
    private static Database database;

    @BeforeAll
    static void openDatabase() {
        // A queue of its own: the worker threads must find nothing of other tests' to perform.
        database = TestDatabase.get().freshMigratedDatabase();
    }

    @AfterAll
    static void closeDatabase() {
        database.close();
    }

    @ParameterizedTest(name = "{0} on SIG{1}")
    @CsvSource({"serve, TERM, 143", "serve, INT, 130", "worker, TERM, 143", "worker, INT, 130"})
    void anIdleProcessEndsOnASignalWithoutAStackTrace(String command, String signal, int status) throws Exception {
        assumeFalse(
                signal.equals("INT") && ignoresSigint(),
                "this test JVM was started with SIGINT ignored (in the background), so its children ignore it too");
        Map<String, String> variables = new HashMap<>(ServeProcess.variables(database.settings()));
        variables.put("ERYAO_WORKER__CONCURRENCY", "4");
        ServeProcess process = ServeProcess.start(command, variables);
        Stopped stopped;
        try {
            stopped = process.stop(signal, ENDS_WITHIN);
        } finally {
            process.close();
        }

        assertThat(stopped)
                .as("%s ended within %s of SIG%s", command, ENDS_WITHIN, signal)
                .isNotNull();
        log.info("{} ended {} ms after SIG{}", command, stopped.took().toMillis(), signal);
        assertThat(stopped.exitStatus()).as(stopped.output()).isEqualTo(status);
        assertThat(stopped.output())
                .as("what %s printed", command)
                .doesNotContain("Exception")
                .doesNotContainPattern("(?m)^\\s+at [\\w$.]+\\(")
                .doesNotContain(" ERROR ")
                .doesNotContain(" WARN ");
    }

    /**
     * Whether this process ignores SIGINT (a shell starts background jobs so): its children then
     * ignore it too, and the JVM installs no handler for a signal it inherited ignored.
     */
    private static boolean ignoresSigint() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        return Files.readAllLines(status).stream()
                .filter(line -> line.startsWith("SigIgn:"))
                .map(line -> Long.parseUnsignedLong(
                        line.substring("SigIgn:".length()).strip(), 16))
                .anyMatch(mask -> (mask & (1L << (2 - 1))) != 0); // SIGINT is signal 2
    }
}
