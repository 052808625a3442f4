package dev.eryao.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error answers as problems too: a request Jetty refuses before any route runs (an
 * illegal character or bad percent-encoding in the path, a malformed header, headers too large)
 * got Jetty's HTML page. Now it is the same RFC 9457 {@code application/problem+json} as every
 * other error, whatever the client's {@code Accept}. Jetty's reason is a fixed phrase (it does not
 * quote the request), so it is passed on as the detail.
 */
final class ProblemErrorHandler extends ErrorHandler {
    private final ObjectMapper json;

    ProblemErrorHandler(ObjectMapper json) {
        this.json = json;
    }

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        String reason = HttpStatus.getMessage(code);
        String detail = message == null || message.isBlank() || message.equals(reason)
                ? "the server could not read this request (" + reason + ")"
                : "the server could not read this request: " + message;
        Problem problem = new Problem("about:blank", reason, code, detail, null, null, null, null);
        byte[] body;
        try {
            body = json.writeValueAsBytes(problem);
        } catch (JsonProcessingException impossible) {
            body = ("{\"status\":" + code + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
