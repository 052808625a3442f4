package dev.eryao.tools;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Stands between the agent's lines and the MCP SDK's stdio transport, which ends the whole
 * session at the first line it cannot read: a line that is not JSON, or not a JSON-RPC message, or
 * longer than its bound. Here each line is read (at most {@link #MAX_LINE_BYTES}; the rest of a
 * longer one is skipped without being kept) and checked with the SDK's own parser; a line that
 * fails is answered with a JSON-RPC error (-32700 parse error, -32600 invalid request) and the
 * next line is served. Only lines the SDK is sure to read reach it.
 *
 * <p>Both the SDK and this guard write to standard output, so {@link #output()} writes whole lines
 * only: an error answer never lands inside a message the SDK is half-way through writing.
 */
public final class McpLineGuard {
    /** The longest line read; the SDK's own reader is given a larger bound, so it never meets one it refuses. */
    public static final int MAX_LINE_BYTES = 16 << 20;

    private static final byte[] END = new byte[0];

    private final InputStream client;
    private final McpJsonMapper json;
    private final LineOutput output;
    private final BlockingQueue<byte[]> lines = new LinkedBlockingQueue<>(64);
    private final Runnable inputEnded;

    /** @param inputEnded run once the SDK has read the last line, after the agent closed our input */
    public McpLineGuard(InputStream client, OutputStream protocol, McpJsonMapper json, Runnable inputEnded) {
        this.client = new BufferedInputStream(client, 64 * 1024);
        this.json = json;
        this.output = new LineOutput(protocol);
        this.inputEnded = inputEnded;
    }

    /** Where the SDK writes: whole lines at a time. */
    public OutputStream output() {
        return output;
    }

    /** What the SDK reads: the lines that passed. */
    public InputStream forwarded() {
        return new Forwarded();
    }

    /** Starts reading the agent's input on a thread of its own. */
    public void start() {
        Thread reader = new Thread(this::readAll, "mcp-line-guard");
        reader.setDaemon(true);
        reader.start();
    }

    private void readAll() {
        try {
            while (true) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                int ended = readLine(line);
                if (ended == -1 && line.size() == 0) {
                    break;
                }
                if (ended == -2) {
                    answer(null, -32600, "Invalid Request: the line is longer than " + MAX_LINE_BYTES + " bytes");
                } else {
                    check(line.toByteArray());
                }
                if (ended == -1) {
                    break;
                }
            }
        } catch (IOException e) {
            // Our input is gone: the session ends as if the agent had closed it.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lines.offer(END);
        }
    }

    /** Reads up to '\n' into {@code line}: 0 at a line end, -1 at the end of input, -2 when the line was too long. */
    private int readLine(ByteArrayOutputStream line) throws IOException {
        boolean tooLong = false;
        for (int b = client.read(); ; b = client.read()) {
            if (b == -1) {
                return tooLong ? -2 : -1;
            }
            if (b == '\n') {
                return tooLong ? -2 : 0;
            }
            if (line.size() < MAX_LINE_BYTES) {
                line.write(b);
            } else {
                tooLong = true;
                line.reset();
            }
        }
    }

    private void check(byte[] raw) throws IOException, InterruptedException {
        int length = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            answer(null, -32700, "Parse error: the line is not UTF-8");
            return;
        }
        if (text.isBlank()) {
            return;
        }
        Object parsed;
        try {
            parsed = json.readValue(text, Object.class);
        } catch (Exception e) {
            answer(null, -32700, "Parse error: the line is not JSON");
            return;
        }
        if (parsed instanceof List<?>) {
            answer(null, -32600, "Invalid Request: batches are not supported; send one message per line");
            return;
        }
        try {
            McpSchema.deserializeJsonRpcMessage(json, text);
        } catch (Exception e) {
            answer(idOf(parsed), -32600, "Invalid Request: not a JSON-RPC 2.0 request, notification or response");
            return;
        }
        lines.put((text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static Object idOf(Object parsed) {
        if (parsed instanceof Map<?, ?> message
                && (message.get("id") instanceof String || message.get("id") instanceof Number)) {
            return message.get("id");
        }
        return null;
    }

    /** Written by hand so {@code "id": null} stays in (a mapper set to leave nulls out would drop it). */
    private void answer(Object id, int code, String message) throws IOException {
        String response = "{\"jsonrpc\":\"2.0\",\"id\":" + (id == null ? "null" : json.writeValueAsString(id))
                + ",\"error\":{\"code\":" + code + ",\"message\":" + json.writeValueAsString(message) + "}}";
        output.writeLine(response.getBytes(StandardCharsets.UTF_8));
    }

    /** The SDK's input: the lines that passed, then the end. */
    private final class Forwarded extends InputStream {
        private byte[] current = new byte[0];
        private int position;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            while (position == current.length) {
                if (ended) {
                    return -1;
                }
                try {
                    current = lines.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for input", e);
                }
                position = 0;
                if (current == END) {
                    ended = true;
                    inputEnded.run();
                    return -1;
                }
            }
            int n = Math.min(length, current.length - position);
            System.arraycopy(current, position, buffer, offset, n);
            position += n;
            return n;
        }
    }

    /** Passes on whole lines only, so two writers never interleave within one. */
    private static final class LineOutput extends OutputStream {
        private final OutputStream out;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        LineOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            pending.write(bytes, offset, length);
            byte[] all = pending.toByteArray();
            int lastEnd = -1;
            for (int i = all.length - 1; i >= 0; i--) {
                if (all[i] == '\n') {
                    lastEnd = i;
                    break;
                }
            }
            if (lastEnd >= 0) {
                out.write(all, 0, lastEnd + 1);
                out.flush();
                pending.reset();
                pending.write(all, lastEnd + 1, all.length - lastEnd - 1);
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            out.flush();
        }

        synchronized void writeLine(byte[] line) throws IOException {
            out.write(line);
            out.write('\n');
            out.flush();
        }

        @Override
        public synchronized void close() throws IOException {
            out.close();
        }
    }
}
