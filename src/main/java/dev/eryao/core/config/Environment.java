package dev.eryao.core.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The variables settings are bound from: the process environment over an optional {@code .env}
 * file (the environment wins, as with pydantic settings). The {@code .env} syntax is the common
 * one: {@code KEY=value}, optional {@code export}, {@code #} comments, single or double quotes.
 */
public final class Environment {
    private final Map<String, String> variables;

    private Environment(Map<String, String> variables) {
        this.variables = Map.copyOf(variables);
    }

    /** The process environment over {@code .env} in the working directory, if there is one. */
    public static Environment load() {
        return load(Path.of(".env"), System.getenv());
    }

    public static Environment load(Path dotEnv, Map<String, String> processEnvironment) {
        Map<String, String> merged = new HashMap<>();
        if (Files.isRegularFile(dotEnv)) {
            merged.putAll(parseDotEnv(readLines(dotEnv), dotEnv));
        }
        merged.putAll(processEnvironment);
        return new Environment(merged);
    }

    public static Environment of(Map<String, String> variables) {
        return new Environment(variables);
    }

    /** A copy with some variables replaced; for tools and tests that adjust one setting. */
    public Environment with(Map<String, String> overrides) {
        Map<String, String> merged = new HashMap<>(variables);
        merged.putAll(overrides);
        return new Environment(merged);
    }

    /** Every variable name starting with {@code prefix}, for settings keyed by a name inside it. */
    public java.util.SortedSet<String> namesStartingWith(String prefix) {
        return variables.keySet().stream()
                .filter(name -> name.startsWith(prefix))
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    /** The value of {@code name}, absent when unset or blank. */
    public Optional<String> get(String name) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    static Map<String, String> parseDotEnv(List<String> lines, Path source) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int equals = line.indexOf('=');
            if (equals <= 0) {
                throw new SettingsException(source + " line " + (i + 1) + ": expected KEY=value");
            }
            values.put(
                    line.substring(0, equals).strip(),
                    unquote(line.substring(equals + 1).strip()));
        }
        return values;
    }

    private static String unquote(String value) {
        if (value.length() >= 2) {
            char first = value.charAt(0);
            if ((first == '"' || first == '\'') && value.charAt(value.length() - 1) == first) {
                return value.substring(1, value.length() - 1);
            }
        }
        int comment = value.indexOf(" #");
        return comment >= 0 ? value.substring(0, comment).strip() : value;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
