package dev.eryao.support;

import dev.eryao.cli.Main;
import dev.eryao.core.config.Environment;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs {@code bin/eryao} in-process with given variables, capturing its exit status and output. */
public final class Cli {
    public record Result(int status, String out, String err) {}

    private Cli() {}

    public static Result eryao(Map<String, String> variables, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(Environment.of(variables), new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(status, out.toString(), err.toString());
    }

    /** As {@link #eryao} with {@code input} on standard input. */
    public static synchronized Result eryaoWithInput(String input, Map<String, String> variables, String... args) {
        InputStream original = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return eryao(variables, args);
        } finally {
            System.setIn(original);
        }
    }
}
