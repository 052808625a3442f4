package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code eryao migrate}: applies every pending schema revision. */
@Command(name = "migrate", description = "Apply pending schema revisions (upgrade to head).")
final class MigrateCommand implements Callable<Integer> {
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
            int applied = migrations.migrate().migrationsExecuted;
            out.println(applied == 0
                    ? "already at head " + migrations.current()
                    : "at head " + migrations.current() + " (" + applied + " applied)");
            return Main.OK;
        }
    }
}
