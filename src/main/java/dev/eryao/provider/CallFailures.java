package dev.eryao.provider;

import dev.eryao.core.Causes;
import dev.eryao.core.config.Durations;
import dev.eryao.core.config.LlmSettings;
import dev.eryao.provider.LlmCallException.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;

/**
 * How a call that got no usable answer is named: before any answer (no connection, no reply in
 * time), and with a non-2xx status. Retryable when trying again may pass: a timeout, an
 * unreachable host, 408, 429 or a 5xx; a TLS failure or another 4xx will not.
 */
final class CallFailures {
    /** The most of a provider's error body an owner is shown. */
    static final int ERROR_BODY_CHARS = 300;

    private CallFailures() {}

    /** A connection or request error before any answer. */
    static LlmCallException beforeAnswer(CalledModel model, LlmSettings settings, Throwable error) {
        if (error instanceof HttpConnectTimeoutException e) {
            return model.failure(
                    Kind.TIMEOUT,
                    "cannot reach " + model.the() + ": no connection within "
                            + Durations.seconds(ChatCompletionsClient.connectTimeout(settings)),
                    true,
                    e);
        }
        if (error instanceof HttpTimeoutException e) {
            return model.failure(
                    Kind.TIMEOUT,
                    model.the() + " did not answer within " + Durations.seconds(settings.timeout())
                            + " (ERYAO_LLM__TIMEOUT_SECONDS)",
                    true,
                    e);
        }
        if (error instanceof IOException e) {
            return unreachable(model, e);
        }
        // By class only, and without it as the cause: such a message can quote the request, key and all.
        return model.failure(
                Kind.OTHER,
                "the call to " + model.the() + " failed (" + error.getClass().getSimpleName() + ")",
                true,
                null);
    }

    /**
     * Names why a connection failed, as a newcomer needs it named: the HTTP client reports an
     * unknown host, a refused connection and a TLS failure all as an IOException, and said
     * "connection refused" for each before. What the network said, which can name hosts and
     * addresses, goes to the logs only.
     */
    static LlmCallException unreachable(CalledModel model, IOException e) {
        for (Throwable cause : Causes.chain(e)) {
            if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
                return model.failure(
                        Kind.UNREACHABLE, "cannot reach " + model.the() + ": its host is not known (DNS)", true, e);
            }
            if (cause instanceof ConnectException) {
                return model.failure(
                        Kind.UNREACHABLE,
                        "cannot reach " + model.the() + ": connection refused (is the server running?)",
                        true,
                        e);
            }
            if (cause instanceof SSLException) {
                return model.failureWithDetail(
                        Kind.TLS,
                        "cannot reach " + model.the() + ": TLS failed",
                        String.valueOf(cause.getMessage()),
                        false,
                        e);
            }
        }
        return model.failureWithDetail(
                Kind.UNREACHABLE,
                "cannot reach " + model.the() + " (" + e.getClass().getSimpleName() + ")",
                String.valueOf(e.getMessage()),
                true,
                e);
    }

    /** A non-2xx answer: worth retrying when the provider timed out, was busy or failed (408, 429, 5xx). */
    static LlmCallException statusFailure(CalledModel model, int status, String body) {
        boolean retryable = status == 408 || status == 429 || status >= 500;
        return model.failure(
                Kind.ofStatus(status), model.the() + " answered " + status, abbreviate(body), retryable, null);
    }

    /** {@code text} on one line, cut at {@link #ERROR_BODY_CHARS}: for quoting a provider to an owner. */
    static String abbreviate(String text) {
        String oneLine = text == null ? "" : text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= ERROR_BODY_CHARS ? oneLine : oneLine.substring(0, ERROR_BODY_CHARS) + "...";
    }
}
