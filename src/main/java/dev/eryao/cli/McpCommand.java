package dev.eryao.cli;

import dev.eryao.core.config.Settings;
import dev.eryao.core.config.ToolsSettings;
import dev.eryao.core.db.Database;
import dev.eryao.tools.McpToolServer;
import dev.eryao.tools.ReadOnlyAccess;
import dev.eryao.tools.SqlExecutor;
import dev.eryao.tools.TableCatalog;
import io.modelcontextprotocol.server.McpSyncServer;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code eryao mcp}: an MCP server on standard input and output for coding agents, with the same
 * read-only {@code list_tables} and {@code execute_sql} as {@code tables} and {@code sql}. It runs
 * until its input ends (the agent closed it).
 *
 * <p>Standard output is the protocol: a single stray line there breaks the agent's connection. So
 * the stream is taken for the transport first and {@code System.out} is pointed at standard error
 * for the rest of the command; logs go to standard error anyway (logback.xml).
 */
@Command(
        name = "mcp",
        mixinStandardHelpOptions = true,
        description = "Serve list_tables and execute_sql (read-only) over stdio (MCP).")
final class McpCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ToolsOptions options;

    @Override
    public Integer call() throws InterruptedException {
        PrintStream protocol = System.out;
        System.setOut(System.err);
        try {
            Settings settings = main.settings();
            ToolsSettings tools = options.apply(settings.tools());
            try (Database database = Database.open(settings)) {
                ReadOnlyAccess access = ReadOnlyAccess.of(database, tools);
                CountDownLatch inputEnded = new CountDownLatch(1);
                McpSyncServer server = new McpToolServer(
                                new SqlExecutor(access, tools.maxRows(), tools.maxBytes()), new TableCatalog(access))
                        .start(main.stdin(), protocol, version(), inputEnded::countDown);
                spec.commandLine()
                        .getErr()
                        .println("eryao mcp: serving list_tables and execute_sql (read-only, as " + tools.readerUser()
                                + ") for " + database.settings().describe() + " on stdio");
                try {
                    inputEnded.await();
                } finally {
                    server.closeGracefully();
                }
                return Main.OK;
            }
        } finally {
            System.setOut(protocol);
        }
    }

    private String version() {
        String[] version = spec.root().version();
        return version.length == 0 ? "unknown" : version[0].replace("eryao ", "");
    }
}
