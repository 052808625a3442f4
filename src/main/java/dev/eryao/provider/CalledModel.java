package dev.eryao.provider;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The model a call goes to, as each audience may see it. An owner's run error names it by factory
 * and code ({@code ollama/llama3.2}), never by its {@code request_url}: that can be a private
 * address (a local Ollama, an internal gateway) that owners have no business learning. Logs, which
 * administrators read, also get where it is ({@link #where()}), without the URL's user info and
 * query, which may hold credentials ({@code ?key=…}).
 *
 * @param name       {@code <factory>/<model code>}
 * @param requestUrl the catalog's {@code request_url}, as configured
 */
record CalledModel(String name, String requestUrl) {

    static CalledModel of(ChatRequest call) {
        return new CalledModel(call.factoryName() + "/" + call.modelCode(), call.requestUrl());
    }

    static CalledModel of(String factoryName, String modelCode, String requestUrl) {
        return new CalledModel(factoryName + "/" + modelCode, requestUrl);
    }

    /** {@code the model ollama/llama3.2}, to begin an owner-facing message with. */
    String the() {
        return "the model " + name;
    }

    /** {@code request_url http://10.0.0.5:11434/v1/chat/completions}: for logs only. */
    String where() {
        return "request_url " + redacted(requestUrl);
    }

    /** A failure whose owner-facing message holds nothing of the provider's answer. */
    LlmCallException failure(LlmCallException.Kind kind, String summary, boolean retryable, Throwable cause) {
        return new LlmCallException(kind, summary, null, where(), retryable, cause);
    }

    /** A failure quoting part of the provider's answer ({@code quoted}, or null) to the run's owner. */
    LlmCallException failure(
            LlmCallException.Kind kind, String summary, String quoted, boolean retryable, Throwable cause) {
        return new LlmCallException(kind, summary, quoted, where(), retryable, cause);
    }

    /** A failure whose log line says more than its owner reads: {@code detail} follows {@link #where()}. */
    LlmCallException failureWithDetail(
            LlmCallException.Kind kind, String summary, String detail, boolean retryable, Throwable cause) {
        return new LlmCallException(kind, summary, null, where() + "; " + detail, retryable, cause);
    }

    /** Scheme, host, port and path; user info, query and fragment left out. */
    static String redacted(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null || uri.getRawAuthority() == null) {
                return "(not an absolute URL)";
            }
            String hostAndPort = uri.getHost() == null
                    ? "(no host)"
                    : uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            return uri.getScheme() + "://" + (uri.getRawUserInfo() == null ? "" : "…@") + hostAndPort + path
                    + (uri.getRawQuery() == null ? "" : "?…");
        } catch (URISyntaxException e) {
            return "(not a URL: " + e.getReason() + " at index " + e.getIndex() + ")";
        }
    }
}
