package dev.eryao.cli;

import dev.eryao.core.config.Settings;
import dev.eryao.core.db.Database;
import dev.eryao.tools.ReadOnlyAccess;
import dev.eryao.tools.TableCatalog;
import dev.eryao.tools.TableInfo;
import dev.eryao.tools.TextOutput;
import dev.eryao.tools.ToolsJson;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code eryao tables [--schema public] [--verbose]}: every table with its estimated rows and
 * whether row level security is on (a table without it is flagged); {@code --verbose} adds
 * columns, primary key and foreign keys.
 */
@Command(
        name = "tables",
        mixinStandardHelpOptions = true,
        description = "List tables with estimated rows and row level security (read-only).")
final class TablesCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Option(names = "--schema", paramLabel = "NAME", description = "Schema to list; repeatable (default public).")
    private List<String> schemas = new ArrayList<>();

    @Option(
            names = {"-v", "--verbose"},
            description = "Also columns, primary key and foreign keys.")
    private boolean verbose;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    private boolean json;

    @Override
    public Integer call() {
        Settings settings = main.settings();
        try (Database database = Database.open(settings)) {
            List<TableInfo> tables =
                    new TableCatalog(ReadOnlyAccess.of(database, settings.tools())).list(schemas, verbose);
            spec.commandLine()
                    .getOut()
                    .print(json ? ToolsJson.tables(tables) + "\n" : TextOutput.tables(tables, verbose));
            spec.commandLine().getOut().flush();
            return Main.OK;
        }
    }
}
