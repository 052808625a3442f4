package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import dev.eryao.migrations.OfflineSql;
import dev.eryao.migrations.RevisionCatalog;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eryao migrate [--target REV] [--sql [--from REV]]}: upgrade to head, or print the SQL that would. */
@Command(name = "migrate", description = "Apply pending schema revisions (upgrade to head, or to --target).")
final class MigrateCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Option(names = "--target", paramLabel = "REV", description = "Stop at this revision instead of head.")
    private String target;

    @Option(names = "--sql", description = "Print the SQL instead of running it; touches no database.")
    private boolean sql;

    @Option(
            names = "--from",
            paramLabel = "REV",
            defaultValue = "base",
            description = "With --sql: the revision the database is at (default: ${DEFAULT-VALUE}).")
    private String from;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (sql) {
            out.print(OfflineSql.upgrade(RevisionCatalog.load(), from, target));
            out.flush();
            return Main.OK;
        }
        try (Database database = Database.open(main.settings())) {
            out.println("database: " + database.settings().describe());
            Migrations migrations = new Migrations(database, out::println);
            int applied = migrations.migrate(target).migrationsExecuted;
            out.println(
                    applied == 0
                            ? "already at " + migrations.current()
                            : "now at " + migrations.current() + " (" + applied + " applied)");
            return Main.OK;
        }
    }
}
