package dev.eryao.cli;

import dev.eryao.mcp.McpHttpServer;
import dev.eryao.mcp.StandInMcpServer;
import dev.eryao.provider.StandInModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code eryao stand-in}: a loopback stand-in for a model provider, so a first run can succeed with
 * no key, and a small MCP server ({@link StandInMcpServer}: add, word_count, clock) where the seeded
 * {@code demo} registration points, so a run can call a tool with nothing installed.
 */
@Command(
        name = "stand-in",
        description = "Answer chat completions on 127.0.0.1 by echoing the last message"
                + " (OpenAI-compatible, streaming too), where the seeded 'local' model points: a run succeeds with no key;"
                + " and serve a small MCP server (add, word_count, clock) where the seeded 'demo' MCP server points.")
final class StandInCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--port", description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}, Ollama's).")
    private int port = StandInModel.DEFAULT_PORT;

    @Option(
            names = "--mcp-port",
            description =
                    "Port on 127.0.0.1 of the MCP server, at /mcp (default: ${DEFAULT-VALUE}, where 'demo' points).")
    private int mcpPort = StandInMcpServer.DEFAULT_PORT;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        StandInModel model;
        try {
            model = StandInModel.start(port);
        } catch (IOException e) {
            throw new UserError(
                    "cannot listen on 127.0.0.1:" + port + ": " + e.getMessage()
                            + " (is Ollama running there already? Then use it instead, or pass --port)",
                    e);
        }
        McpHttpServer tools;
        try {
            tools = StandInMcpServer.start(mcpPort);
        } catch (IOException e) {
            model.close();
            throw new UserError(
                    "cannot listen on 127.0.0.1:" + mcpPort + " for the MCP server: " + e.getMessage()
                            + " (is another stand-in running? Then use it, or pass --mcp-port)",
                    e);
        }
        out.println("stand-in model answering at " + model.url() + "; stop with Ctrl-C");
        out.println("stand-in MCP server (add, word_count, clock) answering at " + tools.url());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            tools.close();
                            model.close();
                            stopped.countDown();
                        },
                        "eryao-stand-in-shutdown"));
        stopped.await();
        return Main.OK;
    }
}
