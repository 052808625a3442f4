package dev.eryao.provider;

import dev.eryao.core.config.HeaderValue;
import dev.eryao.core.config.LlmSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.provider.LlmCallException.Kind;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.util.Optional;

/**
 * Builds the POST to a model. What the HTTP client refuses while a request is built — a
 * {@code request_url} it cannot call, a key it cannot put in a header — fails the attempt for good
 * with a fixed message naming the part refused (the model's {@code request_url}, or the key's
 * variable). The client's own message is never passed on, not even as a cause: for a header it
 * quotes the header's whole value, the key. {@code LlmSettings} refuses such keys at start-up; this
 * holds for settings built any other way.
 */
final class ProviderRequest {
    private ProviderRequest() {}

    /** A request for the answer as server-sent events ({@code Accept: text/event-stream}). */
    static HttpRequest build(CalledModel model, String factoryName, LlmSettings settings, String body) {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(uri(model));
        } catch (IllegalArgumentException e) {
            throw model.failure(
                    Kind.REQUEST,
                    "the request_url of " + model.the() + " cannot be called: only http and https URLs with a host can",
                    false,
                    null);
        }
        request.timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        Optional<Secret> key = settings.apiKeyFor(factoryName);
        if (key.isPresent()) {
            String variable = LlmSettings.keyVariable(factoryName);
            String problem = HeaderValue.problem(key.get().reveal());
            if (problem != null) {
                throw refusedKey(model, variable, problem);
            }
            try {
                request.header("Authorization", "Bearer " + key.get().reveal());
            } catch (IllegalArgumentException e) {
                throw refusedKey(model, variable, e.getClass().getSimpleName());
            }
        }
        try {
            return request.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw model.failure(
                    Kind.REQUEST,
                    "the request to " + model.the() + " could not be built ("
                            + e.getClass().getSimpleName() + ")",
                    false,
                    null);
        }
    }

    private static URI uri(CalledModel model) {
        try {
            return new URI(model.requestUrl());
        } catch (URISyntaxException e) {
            // The reason and index, not the message: that quotes the URL, which owners are not shown.
            throw model.failureWithDetail(
                    Kind.REQUEST,
                    "the request_url of " + model.the() + " is not a URL",
                    e.getReason() + " at index " + e.getIndex(),
                    false,
                    null);
        }
    }

    private static LlmCallException refusedKey(CalledModel model, String variable, String problem) {
        return model.failure(
                Kind.REQUEST,
                "the key in " + variable + " cannot be sent to " + model.the()
                        + ": it contains a character not allowed in an HTTP header (" + problem + ")",
                false,
                null);
    }
}
