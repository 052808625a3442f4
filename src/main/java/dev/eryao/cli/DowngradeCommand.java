package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import dev.eryao.migrations.OfflineSql;
import dev.eryao.migrations.Revision;
import dev.eryao.migrations.RevisionCatalog;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eryao downgrade REV|-1|-N|base [--sql [--from REV]]}. */
@Command(
        name = "downgrade",
        description = {
            "Revert applied revisions newer than REV, newest first, in one transaction.",
            "REV is a revision id, -N (N revisions back) or base (no revision left)."
        })
final class DowngradeCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "REV", description = "Revision to go back to: an id, -N, or base.")
    private String target;

    @Option(names = "--sql", description = "Print the SQL instead of running it; touches no database.")
    private boolean sql;

    @Option(
            names = "--from",
            paramLabel = "REV",
            description = "With --sql: the revision the database is at (default: head).")
    private String from;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (sql) {
            out.print(OfflineSql.downgrade(RevisionCatalog.load(), from, target));
            out.flush();
            return Main.OK;
        }
        try (Database database = Database.open(main.settings())) {
            out.println("database: " + database.settings().describe());
            Migrations migrations = new Migrations(database, out::println);
            List<Revision> reverted = migrations.downgrade(target);
            out.println(
                    reverted.isEmpty()
                            ? "already at " + migrations.current()
                            : "now at " + migrations.current() + " (" + reverted.size() + " reverted)");
            return Main.OK;
        }
    }
}
