package dev.eryao.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/** A peek (a read under pgjdbc's 1 ms timeout) of an empty socket is answered without its wait; every other read is the socket's own. */
class ListenSocketFactoryTest {

    @Test
    void aPeekOfAnEmptySocketIsAnsweredAtOnceAndConsumesNothing() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new ListenSocketFactory()
                        .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket peer = server.accept()) {
            InputStream in = client.getInputStream();
            OutputStream out = peer.getOutputStream();

            client.setSoTimeout(ListenSocketFactory.PEEK_TIMEOUT_MS);
            // The socket's own timeout throws a SocketTimeoutException too, after waiting; the one
            // answered without the wait has no stack trace of its own.
            assertThatThrownBy(in::read)
                    .isInstanceOf(SocketTimeoutException.class)
                    .satisfies(e -> assertThat(e.getStackTrace()).isEmpty());

            out.write('x');
            out.flush();
            client.setSoTimeout(30_000);
            assertThat(in.read())
                    .as("a read with another timeout waits for the byte")
                    .isEqualTo('x');

            out.write('y');
            out.flush();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (in.available() == 0) {
                assertThat(System.nanoTime()).as("the byte arrives").isLessThan(deadline);
                Thread.sleep(5);
            }
            client.setSoTimeout(ListenSocketFactory.PEEK_TIMEOUT_MS);
            assertThat(in.read()).as("a peek of a socket with bytes reads them").isEqualTo('y');
        }
    }
}
