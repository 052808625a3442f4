package dev.eryao;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.cli.Main;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's walkthrough, run as written: its block is cut from README.md and run by bash in a
 * fresh directory, where {@code bin/eryao} runs this build (the suite's classes, so no Maven build
 * inside the test), with a data directory and an API port of its own. It must end with the run
 * succeeded and its points shown, and its run that calls the demo tools parked for the approval of
 * add, approved, succeeded with both results quoted, and its four steps listed, so the README cannot
 * promise what the code does not do.
 */
class ReadmeWalkthroughTest {
    private static final String MARKER = "<!-- walkthrough -->";
    private static final long LIMIT_SECONDS = 240;

    @Test
    void theReadmesWalkthroughWorksWhenPasted() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("```bash\n", readme.indexOf(MARKER)) + "```bash\n".length();
        String block = readme.substring(start, readme.indexOf("\n```", start));
        Path dir = Files.createTempDirectory("eryao-walkthrough");
        Files.createDirectories(dir.resolve("bin"));
        Path eryao = dir.resolve("bin/eryao");
        Files.writeString(
                eryao,
                "#!/usr/bin/env bash\nexec '"
                        + ProcessHandle.current().info().command().orElse("java") + "' -cp '"
                        + System.getProperty("java.class.path") + "' " + Main.class.getName() + " \"$@\"\n");
        Files.setPosixFilePermissions(eryao, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path script = dir.resolve("walkthrough.sh");
        Files.writeString(script, "set -euo pipefail\n" + block + "\nwait\n");

        ProcessBuilder bash = new ProcessBuilder("bash", script.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("output.txt").toFile());
        bash.environment().keySet().removeIf(name -> name.startsWith("ERYAO_"));
        bash.environment().put("ERYAO_DATA_DIR", dir.resolve("data").toString());
        bash.environment().put("ERYAO_SERVER__PORT", String.valueOf(freePort()));
        Process process = bash.start();
        boolean finished = process.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroyForcibly();
        }
        String output = Files.readString(dir.resolve("output.txt"), StandardCharsets.UTF_8);

        assertThat(finished)
                .as("the walkthrough ends by itself within %d s:%n%s", LIMIT_SECONDS, output)
                .isTrue();
        assertThat(output)
                .as(output)
                .contains("\"reason\":\"welcome\"")
                .contains("event: status", "event: delta")
                .contains("\"status\":\"cancelled\"")
                .contains("\"status\":\"succeeded\"", "(stand-in) You said: Plan three days in Lisbon")
                .containsPattern("\"balance\":100,\"held\":0,\"available\":100")
                .as("the seeded MCP server 'demo' lists the stand-in's tools, add needing approval")
                .containsPattern("\"exposed_name\":\"demo__add\",\"description\":\"[^\"]*\",\"input_schema_json\":"
                        + "\"(?:[^\"\\\\]|\\\\.)*\",\"allowed\":true,\"requires_approval\":true")
                .contains("\"exposed_name\":\"demo__word_count\"", "\"exposed_name\":\"demo__clock\"")
                .as("the run calling demo's tools parks for the approval of add, word_count already called")
                .containsPattern(
                        "\"status\":\"requires_approval\"[^\n]*\"pending_calls\":\\[\\{\"id\":\"call_[0-9]+_1\","
                                + "\"tool\":\"demo__add\",\"arguments\":\"\\{\\\\\"a\\\\\":2,\\\\\"b\\\\\":3\\}\","
                                + "\"kind\":\"approval\",\"decision\":null")
                .as("approved, it is queued again")
                .containsPattern(
                        "(?m)^\\{\"task_id\":\"[^\"]*\",\"session_id\":\"[^\"]*\",\"llm_id\":\"[^\"]*\",\"status\":\"queued\","
                                + "[^\n]*\"parked_at\":null,\"pending_calls\":null\\}$")
                .as("it ends quoting both results")
                .contains("\"status\":\"succeeded\",\"output\":\"(stand-in) The tools answered: demo__word_count: 4;"
                        + " demo__add: 5\"")
                .as("its steps: the model, word_count, add (after the approval), the model")
                .containsPattern("\\{\"items\":\\[\\{\"index\":0,\"kind\":\"model\",\"attempt\":[0-9]+,[^\n]*"
                        + "\\{\"index\":1,\"kind\":\"tool\",\"attempt\":[0-9]+,[^\n]*\"tool\":\"demo__word_count\",[^\n]*\"result\":\"4\",[^\n]*"
                        + "\\{\"index\":2,\"kind\":\"tool\",\"attempt\":[0-9]+,[^\n]*\"tool\":\"demo__add\",[^\n]*\"result\":\"5\",[^\n]*"
                        + "\\{\"index\":3,\"kind\":\"model\",\"attempt\":[0-9]+,\"content\":\"\\(stand-in\\) The tools answered:"
                        + " demo__word_count: 4; demo__add: 5\"[^\n\\{]*\\}\\]")
                .as("the second message comes after the first's answer")
                .containsPattern(
                        "(?s)\"content\":\"What should I pack\\?\".*\"content\":\"\\(stand-in\\) You said: What"
                                + " should I pack\\?\".*\"content\":\"And where should we eat\\?\"");
        String answer = "\"content\":\"(stand-in) You said: And where should we eat?\"";
        assertThat(output.split(java.util.regex.Pattern.quote(answer), -1).length - 1)
                .as("the answer on the current branch, then both in the whole session (regenerated beside it)")
                .isEqualTo(3);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
