package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code eryao current}: the applied head, or {@code base}. */
@Command(name = "current", description = "Print the newest applied revision, or base.")
final class CurrentCommand extends DatabaseCommand {
    @Override
    int run(Database database, PrintWriter out) {
        out.println(new Migrations(database, line -> {}).current());
        return Main.OK;
    }
}
