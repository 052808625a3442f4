package dev.eryao.core.db;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import javax.net.SocketFactory;

/**
 * The sockets of the one connection that LISTENs ({@link Database#listenDataSource()}), named to
 * pgjdbc by class ({@code socketFactory}).
 *
 * <p>Why: pgjdbc's {@code getNotifications}, once it has read a notification, asks whether more
 * are pending by reading with a socket timeout of 1 ms, and a quiet socket makes that read wait the
 * whole millisecond (and throw) before the notifications are handed over. Each wake-up of a worker
 * or an event stream was one such wait later than the commit that sent it (pgjdbc/pgjdbc#1547
 * describes the same check). Here a read with that 1 ms timeout and nothing in the kernel's buffer
 * answers at once, as the timeout would have: a notification arriving just after is read by the
 * listener's next wait, which blocks for it. Every other read is the socket's own.
 */
public final class ListenSocketFactory extends SocketFactory {
    /** The timeout pgjdbc's "is a message pending?" check sets, and no other read of it uses. */
    static final int PEEK_TIMEOUT_MS = 1;

    public ListenSocketFactory() {}

    @Override
    public Socket createSocket() {
        return new PeekingSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket socket = new PeekingSocket();
        socket.connect(new java.net.InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket socket = new PeekingSocket();
        socket.bind(new java.net.InetSocketAddress(localHost, localPort));
        socket.connect(new java.net.InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket socket = new PeekingSocket();
        socket.connect(new java.net.InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket socket = new PeekingSocket();
        socket.bind(new java.net.InetSocketAddress(localAddress, localPort));
        socket.connect(new java.net.InetSocketAddress(address, port));
        return socket;
    }

    /** A plain socket whose peeks (reads under the 1 ms timeout) do not wait on an empty buffer. */
    static final class PeekingSocket extends Socket {
        private InputStream input;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (input == null) {
                input = new PeekingInput(super.getInputStream(), this);
            }
            return input;
        }
    }

    private static final class PeekingInput extends FilterInputStream {
        private final Socket socket;

        PeekingInput(InputStream in, Socket socket) {
            super(in);
            this.socket = socket;
        }

        @Override
        public int read() throws IOException {
            refusePeekOnEmpty();
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            refusePeekOnEmpty();
            return super.read(b, off, len);
        }

        private void refusePeekOnEmpty() throws IOException {
            if (socket.getSoTimeout() == PEEK_TIMEOUT_MS && in.available() == 0) {
                throw new NothingPending();
            }
        }
    }

    /** What the 1 ms wait would have thrown, without its wait or a stack trace of its own. */
    private static final class NothingPending extends SocketTimeoutException {
        NothingPending() {
            super("nothing pending");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
