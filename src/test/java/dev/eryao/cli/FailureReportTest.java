package dev.eryao.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.auth.LocalJwtSecret;
import dev.eryao.core.config.Environment;
import dev.eryao.support.Cli;
import dev.eryao.support.TestDatabase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A failure the user can act on is one line naming what to fix; anything else is a bug, shown
 * with its stack trace so that it can be reported and found. Both exit 1.
 */
class FailureReportTest {
    private final StringWriter err = new StringWriter();
    private final CommandLine commandLine =
            new CommandLine(new Main(Environment.of(Map.of()))).setErr(new PrintWriter(err, true));

    @Test
    void anUnexpectedExceptionPrintsItsStackTrace() {
        int status = Main.reportFailure(new IllegalStateException("a bug nobody foresaw"), commandLine, null);

        assertThat(status).isEqualTo(Main.FAILED);
        assertThat(err.toString())
                .startsWith("eryao: unexpected failure: java.lang.IllegalStateException:" + " a bug nobody foresaw")
                .contains("\tat " + FailureReportTest.class.getName() + ".");
    }

    @Test
    void aUserErrorIsOneLine() {
        int status = Main.reportFailure(
                new UserError("cannot listen on 127.0.0.1:11434: in use", new IOException("in use")),
                commandLine,
                null);

        assertThat(status).isEqualTo(Main.FAILED);
        assertThat(err.toString().lines()).containsExactly("eryao: cannot listen on 127.0.0.1:11434: in use");
    }

    @Test
    void aMissingRevisionsFolderIsOneLineNamingIt() {
        Path empty = TestDatabase.temporaryDirectory();

        Cli.Result result = Cli.eryao(Map.of(), "revision", "-m", "add things", "--dir", empty.toString());

        assertThat(result.status()).isEqualTo(Main.FAILED);
        assertThat(result.err().lines())
                .singleElement()
                .asString()
                .isEqualTo("eryao: no revisions folder at " + empty.resolve("migration")
                        + " (run from the project root, or pass --dir)");
    }

    @Test
    void aLocalSecretOthersMayReadIsOneLineSayingWhatToDo() throws IOException {
        Path dataDir = TestDatabase.temporaryDirectory();
        Path secret = dataDir.resolve(LocalJwtSecret.FILE_NAME);
        Files.writeString(secret, "a-secret-long-enough-to-be-used-by-hs256-0123456789\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));

        Cli.Result result = Cli.eryao(
                Map.of("ERYAO_DATA_DIR", dataDir.toString()),
                "token",
                "--sub",
                UUID.randomUUID().toString());

        assertThat(result.status()).isEqualTo(Main.FAILED);
        assertThat(result.err().lines())
                .singleElement()
                .asString()
                .startsWith("eryao: " + secret.toAbsolutePath() + " may be read or written by others")
                .contains("chmod 600");
    }
}
