package dev.eryao.api;

import java.util.List;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * CORS for the origins listed in {@code ERYAO_SERVER__CORS_ORIGINS}, in front of Javalin (like
 * {@link MethodOverrideGuard}), so that every answer a browser can receive carries it: the routes'
 * own, problems (401, 404, 405, 422, …), an event stream, a 204. The headers are put on the
 * response before anything else runs, and nothing after clears them.
 *
 * <p>A request from a listed origin gets {@code Access-Control-Allow-Origin: <that origin>} and the
 * headers a client reads exposed; a preflight from it ({@code OPTIONS} with
 * {@code Access-Control-Request-Method}) is answered here with 204, on any path, without reaching a
 * route. Never {@code Access-Control-Allow-Credentials}: the API takes bearer tokens, not cookies,
 * so a browser sends no ambient credential that a page could borrow. A request from any other
 * origin passes untouched, CORS headers absent (its preflight is the 405 problem it always was), so
 * the browser refuses the page. Every answer says {@code Vary: Origin} once any origin is listed,
 * since whether it carries the CORS headers depends on that request header.
 */
final class CorsHeaders extends Handler.Wrapper {
    /** The request headers a page may send: what the routes and the auth step read. */
    static final String ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, Last-Event-ID, apikey";
    /**
     * The response headers a page may read beyond the safelisted ones: what the API sends that a
     * client acts on (the request id to quote, when to retry, why a token was refused, what a path allows).
     */
    static final String EXPOSED_HEADERS = RequestIds.HEADER + ", Retry-After, WWW-Authenticate, Allow";
    /** How long a browser may keep a preflight's answer: ten minutes, so a changed list is seen soon. */
    static final int MAX_AGE_SECONDS = 600;

    private final Set<String> origins;
    private final String allowedMethods;

    /**
     * @param origins the exact origins allowed (checked by the settings)
     * @param methods the methods the API's routes use, for preflights
     */
    CorsHeaders(List<String> origins, List<String> methods) {
        this.origins = Set.copyOf(origins);
        this.allowedMethods = String.join(", ", methods);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (origins.isEmpty()) {
            return super.handle(request, response, callback);
        }
        HttpFields.Mutable headers = response.getHeaders();
        headers.add(HttpHeader.VARY, "Origin");
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin == null || !origins.contains(origin)) {
            return super.handle(request, response, callback);
        }
        headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if (isPreflight(request)) {
            headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, allowedMethods);
            headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS);
            headers.put(HttpHeader.ACCESS_CONTROL_MAX_AGE, String.valueOf(MAX_AGE_SECONDS));
            // The preflight's answer depends on what it asks for, not only on the origin.
            headers.add(
                    new HttpField(HttpHeader.VARY, "Access-Control-Request-Method, Access-Control-Request-Headers"));
            response.setStatus(204);
            callback.succeeded();
            return true;
        }
        headers.put(HttpHeader.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED_HEADERS);
        return super.handle(request, response, callback);
    }

    private static boolean isPreflight(Request request) {
        return HttpMethod.OPTIONS.is(request.getMethod())
                && request.getHeaders().contains(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD);
    }
}
