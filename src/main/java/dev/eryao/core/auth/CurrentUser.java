package dev.eryao.core.auth;

import java.util.Objects;
import java.util.UUID;

/**
 * The caller, as proven by a verified JWT or a secret API key: {@code id} is the token's {@code sub}
 * claim and is the only source of an {@code owner_id}; a payload's {@code owner_id} is never read.
 *
 * <p>Supabase's service-role API keys (the legacy service_role JWT, which has no {@code sub}, and
 * the {@code sb_secret_…} keys) identify no user: for them {@code id} is null, {@link #isUser()} is
 * false, and only the admin routes accept them.
 *
 * @param id   the verified {@code sub}; null only for a service-role API key
 * @param role the token's {@code role} claim ({@code authenticated}, {@code service_role})
 */
public record CurrentUser(UUID id, String role) {
    public static final String AUTHENTICATED = "authenticated";
    public static final String SERVICE_ROLE = "service_role";

    public CurrentUser {
        Objects.requireNonNull(role, "role");
        if (id == null && !SERVICE_ROLE.equals(role)) {
            throw new NullPointerException("id: only a service-role API key may identify no user");
        }
    }

    /** A service-role API key: the admin's credential, no user. */
    public static CurrentUser serviceKey() {
        return new CurrentUser(null, SERVICE_ROLE);
    }

    /** True when the caller is a user (a token with a {@code sub}), false for an API key. */
    public boolean isUser() {
        return id != null;
    }

    public boolean isServiceRole() {
        return SERVICE_ROLE.equals(role);
    }
}
