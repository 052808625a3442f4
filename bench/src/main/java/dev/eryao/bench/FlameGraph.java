package dev.eryao.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A flame graph of a JFR recording's stack samples, without a profiler to install: the JDK's own
 * recording ({@code jcmd <pid> JFR.start ...}) folded into collapsed stacks ({@code a;b;c count},
 * the format other flame-graph tools read) and drawn as one self-contained SVG (a frame's width is
 * its share of the samples; hover shows the frame and its share).
 *
 * <pre>
 *   java -cp bench/target/classes dev.eryao.bench.FlameGraph rec.jfr out.svg [event] [title]
 * </pre>
 *
 * The event defaults to {@code jdk.CPUTimeSample} (samples by CPU time, where the JDK has it);
 * with none of those, {@code jdk.ExecutionSample}. The collapsed stacks are written beside the SVG
 * ({@code out.collapsed.txt}).
 */
public final class FlameGraph {
    private static final int WIDTH = 1200;
    private static final int ROW = 16;
    private static final double MIN_SHARE = 0.005;
    private static final String TRUNCATED = "[stack truncated]";

    private FlameGraph() {
    }

    /** A frame of the merged tree: its samples, and its callees by name, in name order. */
    private static final class Node {
        final String name;
        long samples;
        final Map<String, Node> children = new TreeMap<>();

        Node(String name) {
            this.name = name;
        }

        Node child(String frame) {
            return children.computeIfAbsent(frame, Node::new);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: FlameGraph <recording.jfr> <out.svg> [event] [title]");
            System.exit(2);
        }
        Path recording = Path.of(args[0]);
        Path svg = Path.of(args[1]);
        String event = args.length > 2 ? args[2] : "jdk.CPUTimeSample";
        List<RecordedStackTrace> stacks = stacks(recording, event);
        if (stacks.isEmpty() && args.length <= 2) {
            event = "jdk.ExecutionSample";
            stacks = stacks(recording, event);
        }
        if (stacks.isEmpty()) {
            System.err.println("FlameGraph: no " + event + " events with stacks in " + recording);
            System.exit(1);
        }
        Node root = new Node("all");
        Map<String, Long> collapsed = new TreeMap<>();
        for (RecordedStackTrace stack : stacks) {
            List<RecordedFrame> frames = stack.getFrames();
            StringBuilder line = new StringBuilder();
            Node node = root;
            root.samples++;
            if (stack.isTruncated()) {
                // JFR keeps the innermost frames (64 by default, -XX:FlightRecorderOptions:stackdepth=
                // sets more): a truncated stack's outer frames are missing, so it gets a root of its own.
                node = node.child(TRUNCATED);
                node.samples++;
                line.append(TRUNCATED);
            }
            // JFR lists the leaf first; a flame graph grows from the root.
            for (int i = frames.size() - 1; i >= 0; i--) {
                String name = frameName(frames.get(i));
                node = node.child(name);
                node.samples++;
                line.append(line.isEmpty() ? "" : ";").append(name);
            }
            collapsed.merge(line.toString(), 1L, Long::sum);
        }
        StringBuilder text = new StringBuilder();
        collapsed.forEach((line, count) -> text.append(line).append(' ').append(count).append('\n'));
        String name = svg.getFileName().toString().replaceFirst("\\.svg$", "");
        Files.writeString(svg.resolveSibling(name + ".collapsed.txt"), text);
        String title = args.length > 3 ? args[3] : recording.getFileName() + " (" + event + ")";
        Files.writeString(svg, svg(root, title + ", " + root.samples + " samples"));
        System.out.println(event + ": " + root.samples + " samples -> " + svg);
    }

    private static List<RecordedStackTrace> stacks(Path recording, String event) throws IOException {
        List<RecordedStackTrace> stacks = new ArrayList<>();
        for (RecordedEvent recorded : RecordingFile.readAllEvents(recording)) {
            if (recorded.getEventType().getName().equals(event) && recorded.getStackTrace() != null) {
                stacks.add(recorded.getStackTrace());
            }
        }
        return stacks;
    }

    private static String frameName(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + frame.getMethod().getName();
    }

    private static String svg(Node root, String title) {
        int depth = depth(root);
        int height = (depth + 2) * ROW;
        StringBuilder out = new StringBuilder();
        out.append("<?xml version=\"1.0\" standalone=\"no\"?>\n")
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(height)
                .append("\" font-family=\"monospace\" font-size=\"11\">\n")
                .append("<text x=\"4\" y=\"12\">")
                .append(escape(title))
                .append("</text>\n");
        draw(out, root, root.samples, 0, 0, height);
        return out.append("</svg>\n").toString();
    }

    private static int depth(Node node) {
        int deepest = 0;
        for (Node child : node.children.values()) {
            deepest = Math.max(deepest, depth(child));
        }
        return deepest + 1;
    }

    /** Draws a frame at x (in pixels) and its callees above it; frames under MIN_SHARE are left out. */
    private static void draw(StringBuilder out, Node node, long total, double x, int level, int height) {
        double width = (double) WIDTH * node.samples / total;
        if ((double) node.samples / total < MIN_SHARE) {
            return;
        }
        int y = height - (level + 1) * ROW;
        String share = String.format(Locale.ROOT, "%.1f%%", 100.0 * node.samples / total);
        int hue = (node.name.hashCode() & 0x7fffffff) % 40;
        out.append("<g><title>")
                .append(escape(node.name))
                .append(" — ")
                .append(share)
                .append("</title><rect x=\"")
                .append(String.format(Locale.ROOT, "%.1f", x))
                .append("\" y=\"")
                .append(y)
                .append("\" width=\"")
                .append(String.format(Locale.ROOT, "%.1f", Math.max(width - 0.5, 0.1)))
                .append("\" height=\"")
                .append(ROW - 1)
                .append("\" fill=\"hsl(")
                .append(hue + 10)
                .append(",80%,60%)\"/>");
        int characters = (int) (width / 7);
        if (characters > 3) {
            String label = node.name + " " + share;
            out.append("<text x=\"")
                    .append(String.format(Locale.ROOT, "%.1f", x + 2))
                    .append("\" y=\"")
                    .append(y + ROW - 4)
                    .append("\">")
                    .append(escape(label.length() > characters ? label.substring(0, characters - 1) + "…" : label))
                    .append("</text>");
        }
        out.append("</g>\n");
        double childX = x;
        for (Node child : node.children.values()) {
            draw(out, child, total, childX, level + 1, height);
            childX += (double) WIDTH * child.samples / total;
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
