package dev.eryao.mcp;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpTransportSessionNotFoundException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The SDK's transport, with its failures reported to the call waiting on it. A failure that
 * arrives after a request was handed over (an answer that is not JSON-RPC, a status the transport
 * refuses, a connection reset mid-answer) reaches only the transport's exception handler; the
 * request itself would wait for its timeout. Reported here, it ends the call at once.
 *
 * <p>The client never opens the optional GET stream for messages the server starts (it offers
 * the server nothing to ask): {@link McpToolClient} refuses that request with
 * {@link NoServerStream}, and that refusal is not a failure of the call.
 *
 * <p>A server that no longer knows the session is reported here only: the SDK's client would
 * re-initialize the session in the background, and {@link McpToolClient} instead closes that
 * client and opens a new one (a handshake sent meanwhile would open a session no one ends).
 */
final class WatchedTransport implements McpClientTransport {
    /** Thrown for the GET stream the transport opens after the handshake: not wanted, not a failure. */
    static final class NoServerStream extends RuntimeException {
        NoServerStream() {
            super("the client does not open a stream for server-initiated messages", null, false, false);
        }
    }

    private final McpClientTransport delegate;
    private final Consumer<Throwable> failures;

    WatchedTransport(McpClientTransport delegate, Consumer<Throwable> failures) {
        this.delegate = delegate;
        this.failures = failures;
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return delegate.connect(handler);
    }

    @Override
    public void setExceptionHandler(Consumer<Throwable> handler) {
        delegate.setExceptionHandler(failure -> {
            if (failure instanceof McpTransportSessionNotFoundException) {
                failures.accept(failure);
                return;
            }
            handler.accept(failure);
            if (!causedByNoServerStream(failure)) {
                failures.accept(failure);
            }
        });
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        return delegate.sendMessage(message);
    }

    @Override
    public Mono<Void> closeGracefully() {
        return delegate.closeGracefully();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        return delegate.unmarshalFrom(data, typeRef);
    }

    @Override
    public List<String> protocolVersions() {
        return delegate.protocolVersions();
    }

    private static boolean causedByNoServerStream(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof NoServerStream) {
                return true;
            }
        }
        return false;
    }
}
