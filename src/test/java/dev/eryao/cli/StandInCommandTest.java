package dev.eryao.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.support.Cli;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code eryao stand-in} when one of its two ports is taken: one line naming it, a non-zero exit. */
class StandInCommandTest {
    @Test
    void aTakenMcpPortIsOneLineNamingItAndANonZeroExit() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            Cli.Result result = Cli.eryao(Map.of(), "stand-in", "--port", "0", "--mcp-port", String.valueOf(port));

            assertThat(result.status()).isNotZero();
            assertThat(result.err().strip().lines())
                    .singleElement()
                    .asString()
                    .contains("cannot listen on 127.0.0.1:" + port + " for the MCP server")
                    .contains("--mcp-port");
        }
    }
}
