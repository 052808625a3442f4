package dev.eryao.cli;

import dev.eryao.core.config.Environment;
import dev.eryao.core.config.Settings;
import dev.eryao.core.config.SettingsException;
import dev.eryao.core.db.DatabaseUnavailableException;
import dev.eryao.migrations.MigrationFailedException;
import dev.eryao.tools.ToolException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/eryao <command>}. Exit status: 0 done, 1 failed (one line on stderr says why, or, for
 * a failure nobody foresaw, a stack trace), 2 the command line itself was wrong.
 */
@Command(
        name = "eryao",
        mixinStandardHelpOptions = true,
        version = "eryao 0.1.0",
        description = "The ERYAO backend: AI agent chat sessions on Supabase PostgreSQL.",
        subcommands = {
            ServeCommand.class,
            WorkerCommand.class,
            TokenCommand.class,
            MigrateCommand.class,
            DowngradeCommand.class,
            InitDataCommand.class,
            BootstrapCommand.class,
            CurrentCommand.class,
            HistoryCommand.class,
            HeadsCommand.class,
            RevisionCommand.class,
            StampCommand.class,
            CheckCommand.class,
            DoctorCommand.class,
            SqlCommand.class,
            TablesCommand.class,
            McpCommand.class,
            StandInCommand.class,
            OpenApiCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private final Environment environment;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public Main(Environment environment) {
        this.environment = environment;
    }

    public static void main(String[] args) {
        PrintWriter err = new PrintWriter(System.err, true);
        Environment environment;
        try {
            environment = Environment.load();
        } catch (SettingsException | UncheckedIOException e) {
            // A .env that cannot be read or parsed: the message names the file (and the line).
            err.println("eryao: " + e.getMessage());
            System.exit(FAILED);
            return;
        }
        System.exit(run(environment, new PrintWriter(System.out, true), err, args));
    }

    /** Runs one command with the given variables and output streams; returns the exit status. */
    public static int run(Environment environment, PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new Main(environment));
        // --help and --version on every command, declared once here rather than on each class.
        commandLine
                .getSubcommands()
                .values()
                .forEach(sub -> sub.getCommandSpec().mixinStandardHelpOptions(true));
        return commandLine
                .setOut(out)
                .setErr(err)
                .setParameterExceptionHandler(Main::reportUsageError)
                .setExecutionExceptionHandler(Main::reportFailure)
                .execute(args);
    }

    /**
     * A wrong command line: what is wrong and where to look, without picocli's guesses (which
     * offered {@code migrate or init-data} for any unknown word).
     */
    private static int reportUsageError(CommandLine.ParameterException error, String[] args) {
        CommandLine wrong = error.getCommandLine();
        wrong.getErr().println("eryao: " + error.getMessage());
        wrong.getErr()
                .println(
                        "see: bin/eryao " + (wrong.getParent() == null ? "" : wrong.getCommandName() + " ") + "--help");
        return USAGE;
    }

    /** Standard input, for commands that read a statement or a protocol from it. */
    InputStream stdin() {
        return System.in;
    }

    /** Settings bound now, so a bad variable fails the command that needs it. */
    Settings settings() {
        return Settings.from(environment);
    }

    /** A variable of the command's environment, for the few options that are not settings. */
    java.util.Optional<String> variable(String name) {
        return environment.get(name);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /**
     * One line, no stack trace, for failures a user can act on (each of these types says what to
     * fix in its message); a stack trace for anything else, which is a bug to report.
     */
    static int reportFailure(Exception error, CommandLine commandLine, CommandLine.ParseResult parsed) {
        if (error instanceof UserError
                || error instanceof SettingsException
                || error instanceof DatabaseUnavailableException
                || error instanceof MigrationFailedException
                || error instanceof ToolException) {
            commandLine.getErr().println("eryao: " + error.getMessage());
        } else {
            commandLine.getErr().println("eryao: unexpected failure: " + error);
            error.printStackTrace(commandLine.getErr());
        }
        return FAILED;
    }
}
