package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eryao current}: the applied head, or {@code base}. */
@Command(name = "current", description = "Print the newest applied revision, or base.")
final class CurrentCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        try (Database database = Database.open(main.settings())) {
            spec.commandLine().getOut().println(new Migrations(database, line -> { }).current());
            return Main.OK;
        }
    }
}
