package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.HistoryEntry;
import dev.eryao.migrations.Migrations;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code eryao history}: every revision with its state and when it was applied. */
@Command(name = "history", description = "List every revision: id, slug, state, applied at (UTC).")
final class HistoryCommand extends DatabaseCommand {
    @Override
    int run(Database database, PrintWriter out) {
        for (HistoryEntry entry : new Migrations(database, line -> {}).history()) {
            String appliedAt = entry.appliedAt() == null
                    ? ""
                    : entry.appliedAt().toInstant().toString();
            out.printf("%-14s %-40s %-8s %s%n", entry.id(), entry.slug(), entry.state(), appliedAt);
        }
        out.flush();
        return Main.OK;
    }
}
