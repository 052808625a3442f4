package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.SeedData;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eryao init-data}: seed data only (the LLM catalog); running it again changes nothing. */
@Command(name = "init-data", description = "Apply seed data (the LLM catalog); unchanged seeds are skipped.")
final class InitDataCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Database database = Database.open(main.settings())) {
            out.println("database: " + database.settings().describe());
            int applied = new SeedData(database, out::println).apply();
            out.println(applied + " seed(s) applied");
            return Main.OK;
        }
    }
}
