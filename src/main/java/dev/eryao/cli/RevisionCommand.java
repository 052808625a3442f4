package dev.eryao.cli;

import dev.eryao.migrations.RevisionWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eryao revision -m "msg"}: write a new empty revision (upgrade and downgrade files). */
@Command(name = "revision", description = "Write a new revision YYYYMMDD_####_<slug> with empty upgrade and downgrade.")
final class RevisionCommand implements Callable<Integer> {
    /** Set by bin/eryao to the project root, so the command works from any directory. */
    static final String PROJECT_DIR_VARIABLE = "ERYAO_PROJECT_DIR";

    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-m", "--message"}, required = true, description = "What the revision does.")
    private String message;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Folder holding migration/ and downgrade/ (default: src/main/resources/db of the project).")
    private Path dir;

    @Override
    public Integer call() {
        Path dbDir = dir != null ? dir
                : main.variable(PROJECT_DIR_VARIABLE).map(Path::of).orElse(Path.of("."))
                        .resolve("src/main/resources/db");
        RevisionWriter.Written written;
        try {
            written = new RevisionWriter(dbDir, Clock.systemUTC()).write(message);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        spec.commandLine().getOut().println("wrote revision " + written.id() + " " + written.slug() + "\n  "
                + written.upgrade() + "\n  " + written.downgrade());
        return Main.OK;
    }
}
