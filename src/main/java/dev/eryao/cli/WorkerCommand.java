package dev.eryao.cli;

import dev.eryao.App;
import dev.eryao.core.config.Settings;
import dev.eryao.worker.Worker;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code eryao worker}: works off queued agent runs without serving HTTP, for scaling workers apart
 * from the API. Any number may run against one database. The schema must already be at head.
 */
@Command(name = "worker", description = "Work off queued agent runs (no HTTP); any number may run at once.")
final class WorkerCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Option(names = "--once", description = "Perform the runs due now, then exit.")
    private boolean once;

    @Override
    public Integer call() throws Exception {
        Settings settings = main.settings();
        PrintWriter out = spec.commandLine().getOut();
        if (once) {
            try (App app = App.open(settings)) {
                out.println("performed " + app.worker().performDue() + " run(s)");
            }
            return Main.OK;
        }
        StopOnSignal stop = StopOnSignal.register("eryao-worker-shutdown");
        App app = App.open(settings);
        stop.closes(app);
        Worker worker = app.worker();
        MissingProviderKeys.warnings(app.catalog(), settings.llm()).forEach(out::println);
        worker.start();
        out.println("worker " + worker.id() + ": " + settings.worker().concurrency() + " run(s) at once on "
                + app.database().settings().describe() + "; stop with Ctrl-C");
        stop.awaitStop();
        return Main.OK;
    }
}
