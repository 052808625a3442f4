package dev.eryao.api;

import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A request is the method on its request line, nothing else. Javalin reads the method from
 * {@code X-HTTP-Method-Override} when that header is present, so a {@code GET} carrying
 * {@code X-HTTP-Method-Override: DELETE} deleted a session, while gateways, proxies and logs saw a
 * harmless GET. This wrapper, in front of Javalin, removes that header and its look-alikes before
 * any route sees the request; a request without them passes untouched (no copy).
 */
final class MethodOverrideGuard extends Handler.Wrapper {
    static final List<String> OVERRIDE_HEADERS =
            List.of("X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override");

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        HttpFields headers = request.getHeaders();
        if (OVERRIDE_HEADERS.stream().noneMatch(headers::contains)) {
            return super.handle(request, response, callback);
        }
        HttpFields.Mutable kept = HttpFields.build(headers);
        OVERRIDE_HEADERS.forEach(kept::remove);
        HttpFields without = kept.asImmutable();
        return super.handle(
                new Request.Wrapper(request) {
                    @Override
                    public HttpFields getHeaders() {
                        return without;
                    }
                },
                response,
                callback);
    }
}
