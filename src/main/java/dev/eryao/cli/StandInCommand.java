package dev.eryao.cli;

import dev.eryao.provider.StandInModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code eryao stand-in}: a loopback stand-in for a model provider, so a first run can succeed with no key. */
@Command(
        name = "stand-in",
        description =
                "Answer chat completions on 127.0.0.1 by echoing the last message"
                        + " (OpenAI-compatible, streaming too), where the seeded 'local' model points: a run succeeds with no key.")
final class StandInCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--port", description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}, Ollama's).")
    private int port = StandInModel.DEFAULT_PORT;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        StandInModel model;
        try {
            model = StandInModel.start(port);
        } catch (IOException e) {
            throw new UserError(
                    "cannot listen on 127.0.0.1:" + port + ": " + e.getMessage()
                            + " (is Ollama running there already? Then use it instead, or pass --port)",
                    e);
        }
        out.println("stand-in model answering at " + model.url() + "; stop with Ctrl-C");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            model.close();
                            stopped.countDown();
                        },
                        "eryao-stand-in-shutdown"));
        stopped.await();
        return Main.OK;
    }
}
