package dev.eryao.api;

import static dev.eryao.api.ApiRole.ANYONE;

import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.auth.TokenIssuer;
import dev.eryao.services.InvalidInputException;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code /local/token}: the chat page's "local token" button, registered only when {@code serve}
 * signs with its own local secret and nothing of Supabase's is configured
 * ({@code AuthSettings.offersLocalTokens}). {@code GET} answers 204 (so the page knows to show the
 * button; 404 where tokens come from Supabase), {@code POST {"sub"}} mints what {@code bin/eryao
 * token --sub} prints: a user's token (never {@code service_role}), valid an hour.
 *
 * <p>The hazard: anyone who can reach this route can act as any user. So {@link #guard} lets in
 * only a request from a loopback address, addressed to a loopback name ({@code Host}: a page on
 * another site whose name was made to resolve to 127.0.0.1 — DNS rebinding — is refused), and,
 * when the browser says where the page came from ({@code Origin}), from this very server's origin.
 * A front-end on another origin gets its token from {@code bin/eryao token}.
 */
final class LocalTokenRoutes {
    static final String PATH = "/local/token";
    static final Duration LIFETIME = Duration.ofHours(1);
    private static final String TAG = "local";
    private static final Pattern LOOPBACK_V4 = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");

    /** Who the token is for: the page keeps an id of its own per browser. */
    record TokenRequest(UUID sub) {}

    record LocalToken(String accessToken, String tokenType, UUID sub, Instant expiresAt) {}

    private final TokenIssuer issuer;
    private final Clock clock;

    LocalTokenRoutes(TokenIssuer issuer, Clock clock) {
        this.issuer = issuer;
        this.clock = clock;
    }

    void register(RouteTable table) {
        table.add(
                Route.of(HandlerType.GET, PATH, ANYONE, TAG)
                        .summary("204 where this server mints local tokens (no Supabase configured; loopback only)")
                        .status(204),
                call -> null);
        table.add(
                Route.of(HandlerType.POST, PATH, ANYONE, TAG)
                        .summary("Mint a user's token with the local secret, as `bin/eryao token --sub` does"
                                + " (no Supabase configured; loopback only, from this server's own page)")
                        .body(TokenRequest.class)
                        .status(201)
                        .returns(LocalToken.class)
                        .alsoAnswers(403, "not from loopback, or from a page of another origin")
                        .header("Cache-Control", "no-store"),
                call -> mint(call.body()));
    }

    private LocalToken mint(TokenRequest request) {
        if (request == null || request.sub() == null) {
            throw InvalidInputException.field("sub", "required: the user id the token is for (a UUID)");
        }
        Instant now = clock.instant();
        String token = issuer.sign(request.sub(), CurrentUser.AUTHENTICATED, LIFETIME, now);
        return new LocalToken(token, "bearer", request.sub(), now.plus(LIFETIME));
    }

    /** A before-handler on {@link #PATH}: refuses (403) what is not this machine's own page. */
    void guard(Context ctx) {
        if (!loopbackAddress(ctx.req().getRemoteAddr())) {
            throw new ForbiddenResponse("local tokens are minted only for requests from this machine (loopback)");
        }
        String host = ctx.header("Host");
        if (host == null || !LOOPBACK_NAMES.contains(hostName(host))) {
            throw new ForbiddenResponse(
                    "local tokens are minted only for requests to a loopback name (127.0.0.1, localhost, [::1])");
        }
        String origin = ctx.header("Origin");
        if (origin != null && !origin.equals(ctx.scheme() + "://" + host.toLowerCase(Locale.ROOT))) {
            throw new ForbiddenResponse("local tokens are minted only for this server's own page, not for a page"
                    + " of another origin (get one there with: bin/eryao token --sub <uuid>)");
        }
    }

    /** The socket's peer, always a literal address (never a name to look up): 127.0.0.0/8 or ::1. */
    private static boolean loopbackAddress(String address) {
        if (address == null) {
            return false;
        }
        String bare =
                address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        bare = bare.toLowerCase(Locale.ROOT);
        if (bare.startsWith("::ffff:")) {
            bare = bare.substring("::ffff:".length()); // an IPv4 peer on an IPv6 socket
        }
        return LOOPBACK_V4.matcher(bare).matches() || bare.equals("::1") || bare.equals("0:0:0:0:0:0:0:1");
    }

    /** The host of a Host header, without its port, lower-cased. */
    private static String hostName(String host) {
        try {
            String name = URI.create("http://" + host).getHost();
            return name == null ? "" : name.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
