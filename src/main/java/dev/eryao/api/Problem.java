package dev.eryao.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An RFC 9457 problem detail, the body of every error response ({@code application/problem+json}).
 *
 * @param type      {@code about:blank}: the status says what kind of problem it is
 * @param title     the status's reason phrase
 * @param status    the HTTP status
 * @param detail    what went wrong, for a person
 * @param instance  the request path
 * @param requestId the id in the {@code X-Request-Id} header and the server log
 * @param errors    for invalid input: field name to what is wrong with it
 * @param taskId    for a run refused while its session has one in flight: that run's id
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Problem(
        String type,
        String title,
        int status,
        String detail,
        @Nullable String instance,
        @Nullable String requestId,
        @Nullable Map<String, String> errors,
        java.util.@Nullable UUID taskId) {
    static final String CONTENT_TYPE = "application/problem+json";
}
