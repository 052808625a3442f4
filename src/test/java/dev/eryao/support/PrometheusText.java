package dev.eryao.support;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' text exposition format (version 0.0.4), written against its
 * specification, refusing with the line's number what a lenient scraper would let through: a
 * sample before or without its family's {@code # TYPE}, a family without {@code # HELP} text
 * (some parsers refuse the whole scrape then), a family split in two, a repeated series, a bad
 * name, label or escape, a value that is not a float, and a histogram whose buckets do not rise to
 * {@code +Inf} and its {@code _count}.
 */
public final class PrometheusText {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    public record Sample(String name, Map<String, String> labels, double value) {}

    public record Family(String name, String type, String help, List<Sample> samples) {}

    private final Map<String, Family> families = new LinkedHashMap<>();
    private final Set<String> series = new HashSet<>();
    private final Set<String> ended = new HashSet<>();
    private String current;
    private int line;

    private PrometheusText() {}

    /** The families of {@code text}, by name; an {@link IllegalArgumentException} names the first fault. */
    public static Map<String, Family> parse(String text) {
        PrometheusText reader = new PrometheusText();
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a line feed");
        }
        for (String each : text.substring(0, text.length() - 1).split("\n", -1)) {
            reader.line++;
            reader.read(each);
        }
        reader.families.values().forEach(reader::check);
        return reader.families;
    }

    private void read(String text) {
        if (text.isBlank()) {
            return;
        }
        if (text.startsWith("# HELP ") || text.startsWith("# TYPE ")) {
            String[] parts = text.substring(7).split(" ", 2);
            String name = parts[0];
            require(METRIC_NAME.matcher(name).matches(), "not a metric name: " + name);
            Family family = families.get(name);
            require(!ended.contains(name), "family " + name + " continues after another began");
            if (text.startsWith("# HELP ")) {
                String help = parts.length > 1 ? unescape(parts[1], false) : "";
                require(!help.isBlank(), "family " + name + " has no HELP text");
                require(family == null || family.help() == null, "a second HELP for " + name);
                put(name, family == null ? null : family.type(), help, family);
            } else {
                require(parts.length > 1 && TYPES.contains(parts[1]), "not a metric type: " + text);
                require(family == null || family.type() == null, "a second TYPE for " + name);
                require(family == null || family.samples().isEmpty(), "TYPE after samples of " + name);
                put(name, parts[1], family == null ? null : family.help(), family);
            }
            switchTo(name);
            return;
        }
        if (text.startsWith("#")) {
            return; // a comment
        }
        sample(text);
    }

    private void put(String name, String type, String help, Family earlier) {
        families.put(name, new Family(name, type, help, earlier == null ? new ArrayList<>() : earlier.samples()));
    }

    private void switchTo(String name) {
        if (current != null && !current.equals(name)) {
            ended.add(current);
        }
        current = name;
    }

    private void sample(String text) {
        int i = 0;
        while (i < text.length() && text.charAt(i) != '{' && text.charAt(i) != ' ') {
            i++;
        }
        String name = text.substring(0, i);
        require(METRIC_NAME.matcher(name).matches(), "not a metric name: " + name);
        Map<String, String> labels = new TreeMap<>();
        if (i < text.length() && text.charAt(i) == '{') {
            i = labels(text, i + 1, labels);
        }
        require(i < text.length() && text.charAt(i) == ' ', "no value after " + name);
        String[] rest = text.substring(i + 1).split(" ", -1);
        require(rest.length == 1 || rest.length == 2, "more than a value and a timestamp: " + text);
        double value = value(rest[0]);
        if (rest.length == 2) {
            require(rest[1].matches("-?[0-9]+"), "not a timestamp: " + rest[1]);
        }
        Family family = familyOf(name);
        require(family != null, "sample " + name + " has no TYPE before it");
        require(!ended.contains(family.name()), "family " + family.name() + " continues after another began");
        switchTo(family.name());
        require(series.add(name + labels), "series repeated: " + name + labels);
        if (family.type().equals("counter") && !name.endsWith("_created")) {
            require(value >= 0 && !Double.isNaN(value), "a counter below 0: " + text);
        }
        family.samples().add(new Sample(name, labels, value));
    }

    /** Reads {@code name="value",...}} from {@code i}; the index after the closing brace. */
    private int labels(String text, int i, Map<String, String> labels) {
        while (true) {
            require(i < text.length(), "labels not closed");
            if (text.charAt(i) == '}') {
                return i + 1;
            }
            int equals = text.indexOf('=', i);
            require(equals > i, "a label without a value");
            String label = text.substring(i, equals);
            require(LABEL_NAME.matcher(label).matches() && !label.startsWith("__"), "not a label name: " + label);
            require(equals + 1 < text.length() && text.charAt(equals + 1) == '"', "label value not quoted");
            StringBuilder value = new StringBuilder();
            int j = equals + 2;
            while (true) {
                require(j < text.length(), "label value not closed");
                char c = text.charAt(j);
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    require(j + 1 < text.length(), "an escape at the end of the line");
                    char next = text.charAt(j + 1);
                    require(next == '\\' || next == '"' || next == 'n', "not an escape in a label value: \\" + next);
                    value.append(next == 'n' ? '\n' : next);
                    j += 2;
                } else {
                    value.append(c);
                    j++;
                }
            }
            require(labels.put(label, value.toString()) == null, "label repeated: " + label);
            i = j + 1;
            if (i < text.length() && text.charAt(i) == ',') {
                i++;
            }
        }
    }

    private Family familyOf(String sample) {
        Family exact = families.get(sample);
        if (exact != null && exact.type() != null && !exact.type().equals("histogram")) {
            return exact;
        }
        for (String suffix : List.of("_bucket", "_count", "_sum")) {
            if (sample.endsWith(suffix)) {
                Family base = families.get(sample.substring(0, sample.length() - suffix.length()));
                if (base != null
                        && base.type() != null
                        && (base.type().equals("histogram")
                                || (base.type().equals("summary") && !suffix.equals("_bucket")))) {
                    return base;
                }
            }
        }
        return exact != null && exact.type() != null ? exact : null;
    }

    private void check(Family family) {
        require(family.type() != null, "family " + family.name() + " has HELP but no TYPE");
        require(family.help() != null, "family " + family.name() + " has no HELP");
        if (!family.type().equals("histogram")) {
            return;
        }
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        for (Sample sample : family.samples()) {
            if (sample.name().endsWith("_bucket")) {
                Map<String, String> rest = new TreeMap<>(sample.labels());
                String le = rest.remove("le");
                require(le != null, "a bucket without le in " + family.name());
                buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(sample);
            } else if (sample.name().endsWith("_count")) {
                counts.put(sample.labels(), sample.value());
            }
        }
        buckets.forEach((labels, list) -> {
            double bound = Double.NEGATIVE_INFINITY;
            double count = 0;
            for (Sample bucket : list) {
                double le = value(bucket.labels().get("le"));
                require(le > bound, family.name() + labels + ": buckets not in rising order");
                require(bucket.value() >= count, family.name() + labels + ": bucket counts fall");
                bound = le;
                count = bucket.value();
            }
            require(bound == Double.POSITIVE_INFINITY, family.name() + labels + ": no +Inf bucket");
            require(Double.valueOf(count).equals(counts.get(labels)), family.name() + labels + ": +Inf is not _count");
        });
    }

    private double value(String text) {
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                require(text.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?"), "not a value: " + text);
                return Double.parseDouble(text);
        }
    }

    /** HELP text: {@code \\} and {@code \n} are its only escapes. */
    private String unescape(String text, boolean quoted) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                require(i + 1 < text.length(), "an escape at the end of the line");
                char next = text.charAt(++i);
                require(next == '\\' || next == 'n' || (quoted && next == '"'), "not an escape in HELP: \\" + next);
                out.append(next == 'n' ? '\n' : next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private void require(boolean condition, String fault) {
        if (!condition) {
            throw new IllegalArgumentException("line " + line + ": " + fault);
        }
    }
}
