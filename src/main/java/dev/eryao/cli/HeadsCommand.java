package dev.eryao.cli;

import dev.eryao.migrations.RevisionCatalog;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code eryao heads}: the newest revision this build has (history is linear: one head). */
@Command(name = "heads", description = "Print the newest revision of this build; needs no database.")
final class HeadsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine()
                .getOut()
                .println(RevisionCatalog.load()
                        .head()
                        .map(head -> head.label() + " (head)")
                        .orElse("base (no revisions)"));
        return Main.OK;
    }
}
