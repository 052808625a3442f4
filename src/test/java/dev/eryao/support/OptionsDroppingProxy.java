package dev.eryao.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a PostgreSQL server that does to the start-up message what
 * Supabase's pooler (Supavisor) does: it drops the {@code options} parameter (Supavisor keeps only
 * a {@code search_path} from it; nothing here sends one), and otherwise relays bytes untouched. It
 * speaks just enough of the wire protocol for that: it refuses SSL and GSS encryption ('N', as a
 * server without them does), rewrites the StartupMessage, and passes a CancelRequest on as is.
 */
public final class OptionsDroppingProxy implements AutoCloseable {
    private static final int SSL_REQUEST = 80877103;
    private static final int GSS_REQUEST = 80877104;
    private static final int CANCEL_REQUEST = 80877102;

    private final String upstreamHost;
    private final int upstreamPort;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger droppedOptions = new AtomicInteger();

    public OptionsDroppingProxy(String upstreamHost, int upstreamPort) throws IOException {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().name("options-dropping-proxy").start(this::accept);
    }

    public String host() {
        return listener.getInetAddress().getHostAddress();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** How many start-up messages arrived with an {@code options} parameter that was dropped. */
    public int droppedOptions() {
        return droppedOptions.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream toClient = client.getOutputStream();
            while (true) {
                int length = in.readInt();
                byte[] body = new byte[length - 4];
                in.readFully(body);
                int code = readInt(body, 0);
                if (code == SSL_REQUEST || code == GSS_REQUEST) {
                    toClient.write('N');
                    toClient.flush();
                    continue;
                }
                try (Socket server = new Socket(upstreamHost, upstreamPort)) {
                    sockets.add(server);
                    OutputStream toServer = server.getOutputStream();
                    toServer.write(code == CANCEL_REQUEST ? frame(body) : frame(withoutOptions(body)));
                    toServer.flush();
                    Thread relayBack = Thread.ofVirtual().start(() -> relay(server, client));
                    relay(client, server);
                    relayBack.join();
                }
                return;
            }
        } catch (IOException | InterruptedException e) {
            // a side hung up: the session is over
        }
    }

    /** The start-up body (protocol version, then name/value pairs) without {@code options}. */
    private byte[] withoutOptions(byte[] body) {
        Map<String, String> parameters = new LinkedHashMap<>();
        int at = 4;
        while (at < body.length && body[at] != 0) {
            int nameEnd = indexOfZero(body, at);
            int valueEnd = indexOfZero(body, nameEnd + 1);
            parameters.put(
                    new String(body, at, nameEnd - at, StandardCharsets.UTF_8),
                    new String(body, nameEnd + 1, valueEnd - nameEnd - 1, StandardCharsets.UTF_8));
            at = valueEnd + 1;
        }
        if (parameters.remove("options") != null) {
            droppedOptions.incrementAndGet();
        }
        ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
        rewritten.write(body, 0, 4);
        parameters.forEach((name, value) -> {
            rewritten.writeBytes(name.getBytes(StandardCharsets.UTF_8));
            rewritten.write(0);
            rewritten.writeBytes(value.getBytes(StandardCharsets.UTF_8));
            rewritten.write(0);
        });
        rewritten.write(0);
        return rewritten.toByteArray();
    }

    private static byte[] frame(byte[] body) throws IOException {
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(framed);
        out.writeInt(body.length + 4);
        out.write(body);
        return framed.toByteArray();
    }

    private static void relay(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            in.transferTo(out);
        } catch (IOException e) {
            // either side closed
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private static int indexOfZero(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("malformed start-up message");
    }

    private static int readInt(byte[] bytes, int at) {
        return ((bytes[at] & 0xff) << 24)
                | ((bytes[at + 1] & 0xff) << 16)
                | ((bytes[at + 2] & 0xff) << 8)
                | (bytes[at + 3] & 0xff);
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
