package dev.eryao.mcp;

import io.modelcontextprotocol.client.transport.McpHttpClientTransportAuthorizationException;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpTransportException;
import io.modelcontextprotocol.spec.McpTransportSessionNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** What went wrong with a listing or a call, in words for the model and the administrator. */
final class Failures {
    private Failures() {}

    /** The caller cancelled the call (the run was cancelled or its session deleted). */
    static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    static String describe(Throwable failure, McpEndpoint endpoint, Duration timeout) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof Cancelled) {
                return "the call was cancelled";
            }
            if (t instanceof McpError error && error.getJsonRpcError() != null) {
                return "it answered with JSON-RPC error "
                        + error.getJsonRpcError().code() + ": "
                        + quoted(error.getJsonRpcError().message(), endpoint);
            }
            if (t instanceof McpTransportSessionNotFoundException) {
                return "it did not know the MCP session the client had opened with it (HTTP 404 or 400)";
            }
            if (t instanceof McpHttpClientTransportAuthorizationException) {
                return "it refused the request as unauthorized (HTTP 401 or 403): check its secret header";
            }
            if (t instanceof HttpConnectTimeoutException) {
                return "it cannot be reached (connecting timed out)";
            }
            if (t instanceof ConnectException) {
                return "it cannot be reached (connection refused)";
            }
            if (t instanceof HttpTimeoutException || t instanceof TimeoutException) {
                return "it did not answer within " + seconds(timeout);
            }
            if (t.getClass().getSimpleName().equals("MaxSizeExceededException")) {
                return "its answer was longer than the client reads";
            }
            if (t instanceof McpTransportException) {
                return "it answered something that is not an MCP answer (" + quoted(t.getMessage(), endpoint) + ")";
            }
        }
        Throwable root = McpError.findRootCause(failure);
        if (root instanceof IOException || root instanceof ClosedChannelException) {
            return "the connection was lost before it answered (" + quoted(root.getMessage(), endpoint) + ")";
        }
        return "it answered something the client cannot use (" + quoted(root.getMessage(), endpoint) + ")";
    }

    /** A server's or the SDK's words, bounded, with the secret header's value never among them. */
    static String quoted(String text, McpEndpoint endpoint) {
        if (text == null || text.isBlank()) {
            return "no reason given";
        }
        String shown = text.strip();
        String secret = endpoint.headerValue().reveal();
        if (!secret.isEmpty()) {
            shown = shown.replace(secret, "******");
        }
        return shown.length() <= McpToolClient.MAX_QUOTED_CHARS
                ? shown
                : shown.substring(0, McpToolClient.MAX_QUOTED_CHARS) + "…";
    }

    static String seconds(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }
}
