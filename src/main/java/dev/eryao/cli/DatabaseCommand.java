package dev.eryao.cli;

import dev.eryao.core.config.Settings;
import dev.eryao.core.db.Database;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A command that works on the configured database (or the embedded one): it opens the database,
 * runs, and closes it again, whatever happens. Subclasses only say what they do with it.
 */
abstract class DatabaseCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (Database database = Database.open(settings())) {
            return run(database, out());
        }
    }

    /** The work; returns the exit status. */
    abstract int run(Database database, PrintWriter out) throws Exception;

    Settings settings() {
        return main.settings();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
