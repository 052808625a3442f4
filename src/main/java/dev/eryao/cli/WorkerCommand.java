package dev.eryao.cli;

import dev.eryao.App;
import dev.eryao.core.config.Settings;
import dev.eryao.worker.Worker;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
    public Integer call() throws InterruptedException {
        Settings settings = main.settings();
        PrintWriter out = spec.commandLine().getOut();
        App app = App.open(settings);
        Worker worker = app.worker();
        Runnable stop = app::close;
        if (once) {
            try {
                out.println("performed " + worker.performDue() + " run(s)");
            } finally {
                stop.run();
            }
            return Main.OK;
        }
        MissingProviderKeys.warnings(app.catalog(), settings.llm()).forEach(out::println);
        worker.start();
        out.println("worker " + worker.id() + ": " + settings.worker().concurrency() + " run(s) at once on "
                + app.database().settings().describe() + "; stop with Ctrl-C");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            stop.run();
                            stopped.countDown();
                        },
                        "eryao-worker-shutdown"));
        stopped.await();
        return Main.OK;
    }
}
