package dev.eryao.cli;

import dev.eryao.core.config.Settings;
import dev.eryao.core.config.ToolsSettings;
import dev.eryao.core.db.Database;
import dev.eryao.tools.QueryResult;
import dev.eryao.tools.ReadOnlyAccess;
import dev.eryao.tools.SqlExecutor;
import dev.eryao.tools.TextOutput;
import dev.eryao.tools.ToolException;
import dev.eryao.tools.ToolsJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code eryao sql "<query>"} (or {@code --file}, or standard input): runs one statement read-only
 * (see {@link ReadOnlyAccess}) and prints its rows as a table, or as JSON with {@code --json}.
 */
@Command(
        name = "sql",
        mixinStandardHelpOptions = true,
        description = "Run one SQL statement read-only and print its rows.")
final class SqlCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ToolsOptions options;

    @Parameters(arity = "0..1", paramLabel = "QUERY", description = "The statement; else --file, else standard input.")
    private String query;

    @Option(
            names = {"-f", "--file"},
            paramLabel = "FILE",
            description = "Read the statement from FILE.")
    private Path file;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    private boolean json;

    @Override
    public Integer call() {
        String text = statement();
        Settings settings = main.settings();
        ToolsSettings tools = options.apply(settings.tools());
        try (Database database = Database.open(settings)) {
            QueryResult result = new SqlExecutor(ReadOnlyAccess.of(database, tools), tools.maxRows(), tools.maxBytes())
                    .execute(text);
            spec.commandLine()
                    .getOut()
                    .print(json ? ToolsJson.queryResult(result) + "\n" : TextOutput.queryResult(result));
            spec.commandLine().getOut().flush();
            return Main.OK;
        }
    }

    private String statement() {
        if (query != null && file != null) {
            throw new ToolException("give the query as an argument or with --file, not both");
        }
        try {
            if (query != null) {
                return query;
            }
            return file != null ? Files.readString(file) : read(main.stdin());
        } catch (IOException e) {
            throw new ToolException(
                    "cannot read " + (file != null ? file : "standard input") + ": " + e.getMessage(), e);
        }
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
