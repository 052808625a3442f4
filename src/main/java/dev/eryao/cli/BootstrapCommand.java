package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import dev.eryao.migrations.SeedData;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eryao bootstrap}: {@code migrate} then {@code init-data}. */
@Command(name = "bootstrap", description = "Apply pending revisions, then seed data.")
final class BootstrapCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Database database = Database.open(main.settings())) {
            out.println("database: " + database.settings().describe());
            Migrations migrations = new Migrations(database, out::println);
            int revisions = migrations.migrate().migrationsExecuted;
            int seeds = new SeedData(database, out::println).apply();
            out.println("at " + migrations.current() + " (" + revisions + " revision(s) and " + seeds
                    + " seed(s) applied)");
            return Main.OK;
        }
    }
}
