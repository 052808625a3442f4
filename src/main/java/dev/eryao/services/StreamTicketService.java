package dev.eryao.services;

import dev.eryao.core.auth.AuthenticationException;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Transactions;
import dev.eryao.models.StreamTicket;
import dev.eryao.repositories.StreamTicketRepository;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Stream tickets: a credential for one event stream and one owner, short-lived, that a browser can
 * put in a URL (an {@code EventSource} cannot send {@code Authorization}), where an access token must
 * never go. A ticket is 256 random bits; the database keeps only its SHA-256 with the owner, the
 * stream's path and the expiry, so every {@code serve} process sharing the database accepts what any
 * of them issued, whatever verifies the tokens (a Supabase JWKS leaves the processes no shared secret
 * to sign with), and a leaked row opens nothing. A ticket may be shown again until it expires (an
 * {@code EventSource} reconnects to the same URL); a stream opened with it stays open after that.
 */
public final class StreamTicketService {
    /** How long a ticket opens its stream: enough to open it, short enough that a logged URL is stale. */
    public static final Duration LIFETIME = Duration.ofSeconds(60);
    /** Expired tickets deleted per ticket issued: more than are issued, so the table stays small. */
    static final int SWEEP_LIMIT = 100;

    private static final int TICKET_BYTES = 32;
    private static final Pattern TICKET = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final Transactions transactions;
    private final StreamTicketRepository tickets;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public StreamTicketService(Transactions transactions, StreamTicketRepository tickets, Clock clock) {
        this.transactions = transactions;
        this.tickets = tickets;
        this.clock = clock;
    }

    /**
     * A new ticket for {@code user}'s stream at {@code streamPath}, once {@code ownerCheck} (in the
     * same unit of work) has found the stream's subject to be theirs; it throws when it is not.
     */
    public IssuedTicket issue(CurrentUser user, String streamPath, Runnable ownerCheck) {
        byte[] bytes = new byte[TICKET_BYTES];
        random.nextBytes(bytes);
        String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        Instant expiresAt = now.plus(LIFETIME);
        transactions.inTransaction(() -> {
            ownerCheck.run();
            tickets.sweepExpired(now, SWEEP_LIMIT);
            tickets.add(new StreamTicket(hash(ticket), user.id(), streamPath, expiresAt));
        });
        return new IssuedTicket(ticket, expiresAt);
    }

    /**
     * The owner {@code ticket} was issued to, when it is one this deployment issued for
     * {@code streamPath} and it has not expired.
     *
     * @throws AuthenticationException naming which of those it is not (a 401)
     */
    public CurrentUser redeem(String ticket, String streamPath) {
        if (!TICKET.matcher(ticket).matches()) {
            throw new AuthenticationException("the ticket is not one this server issued");
        }
        StreamTicket found = transactions
                .read(() -> tickets.findByHash(hash(ticket)))
                .orElseThrow(() -> new AuthenticationException("the ticket is not one this server issued"));
        if (!found.getStreamPath().equals(streamPath)) {
            throw new AuthenticationException("the ticket opens another stream, not this one");
        }
        if (!clock.instant().isBefore(found.getExpiresAt())) {
            throw new AuthenticationException(
                    "the ticket has expired (tickets last " + LIFETIME.toSeconds() + " s): ask for a new one");
        }
        return new CurrentUser(found.getOwnerId(), CurrentUser.AUTHENTICATED);
    }

    private static String hash(String ticket) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(ticket.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
