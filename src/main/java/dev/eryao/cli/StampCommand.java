package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eryao stamp REV}: record REV as the applied head without running anything. */
@Command(name = "stamp", description = {
        "Record REV as the applied head without running any SQL, for a database that already",
        "has that schema (e.g. one brought up by the Python stack). base forgets every revision."})
final class StampCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "REV", description = "A revision id, or base.")
    private String target;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Database database = Database.open(main.settings())) {
            Migrations migrations = new Migrations(database, out::println);
            migrations.stamp(target);
            out.println("now at " + migrations.current());
            return Main.OK;
        }
    }
}
