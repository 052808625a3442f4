package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.HistoryEntry;
import dev.eryao.migrations.Migrations;
import java.io.PrintWriter;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eryao history}: every revision with its state and when it was applied. */
@Command(name = "history", description = "List every revision: id, slug, state, applied at (UTC).")
final class HistoryCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Database database = Database.open(main.settings())) {
            for (HistoryEntry entry : new Migrations(database, line -> { }).history()) {
                String appliedAt = entry.appliedAt() == null ? ""
                        : entry.appliedAt().toInstant().toString();
                out.printf("%-14s %-40s %-8s %s%n", entry.id(), entry.slug(), entry.state(), appliedAt);
            }
            out.flush();
            return Main.OK;
        }
    }
}
