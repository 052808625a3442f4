package dev.eryao.cli;

import dev.eryao.core.config.SettingsException;
import dev.eryao.core.db.DatabaseUnavailableException;
import dev.eryao.migrations.MigrationFailedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/eryao <command>}. Exit status: 0 done, 1 failed (one line on stderr says why), 2 the
 * command line itself was wrong.
 */
@Command(name = "eryao", mixinStandardHelpOptions = true, version = "eryao 0.1.0",
        description = "The ERYAO backend: AI agent chat sessions on Supabase PostgreSQL.",
        subcommands = {MigrateCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return new CommandLine(new Main())
                .setExecutionExceptionHandler(Main::reportFailure)
                .execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /** One line, no stack trace, for failures a user can act on; a stack trace for bugs. */
    private static int reportFailure(Exception error, CommandLine commandLine, CommandLine.ParseResult parsed) {
        if (error instanceof SettingsException || error instanceof DatabaseUnavailableException
                || error instanceof IllegalStateException || error instanceof MigrationFailedException) {
            commandLine.getErr().println("eryao: " + error.getMessage());
        } else {
            commandLine.getErr().println("eryao: unexpected failure: " + error);
            error.printStackTrace(commandLine.getErr());
        }
        return FAILED;
    }
}
