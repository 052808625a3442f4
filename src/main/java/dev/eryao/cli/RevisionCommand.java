package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import dev.eryao.migrations.RevisionWriter;
import dev.eryao.migrations.autogen.Autogenerate;
import dev.eryao.models.Models;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
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

    @Option(
            names = {"-m", "--message"},
            required = true,
            description = "What the revision does.")
    private String message;

    @Option(
            names = "--autogenerate",
            description = "Fill the revision with what it takes to make the database (at head) match the models.")
    private boolean autogenerate;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description = "Folder holding migration/ and downgrade/ (default: src/main/resources/db of the project).")
    private Path dir;

    @Override
    public Integer call() {
        Path dbDir = dir != null
                ? dir
                : main.variable(PROJECT_DIR_VARIABLE)
                        .map(Path::of)
                        .orElse(Path.of("."))
                        .resolve("src/main/resources/db");
        RevisionWriter writer = new RevisionWriter(dbDir, Clock.systemUTC());
        RevisionWriter.Written written;
        try {
            RevisionWriter.slug(message); // a bad message is a usage error, found before any work
            if (autogenerate) {
                Optional<RevisionWriter.Written> generated = generate(writer);
                if (generated.isEmpty()) {
                    spec.commandLine()
                            .getOut()
                            .println("no changes: the models and the database agree; nothing written");
                    return Main.OK;
                }
                written = generated.get();
            } else {
                written = writer.write(message);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        } catch (UncheckedIOException e) {
            // The revisions folder is missing, or a file in it cannot be listed or written.
            throw new UserError(e.getMessage(), e);
        }
        spec.commandLine()
                .getOut()
                .println("wrote revision " + written.id() + " " + written.slug() + "\n  " + written.upgrade() + "\n  "
                        + written.downgrade());
        return Main.OK;
    }

    private Optional<RevisionWriter.Written> generate(RevisionWriter writer) {
        try (Database database = Database.open(main.settings())) {
            Migrations migrations = new Migrations(database, line -> {});
            return new Autogenerate(database, migrations, Models.ALL).writeRevision(message, writer);
        }
    }
}
