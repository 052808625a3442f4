package dev.eryao.core.auth;

import java.util.Objects;
import java.util.UUID;

/**
 * The caller, as proven by a verified JWT: {@code id} is its {@code sub} claim and is the only
 * source of an {@code owner_id}; a payload's {@code owner_id} is never read.
 *
 * @param id   the verified {@code sub}
 * @param role the token's {@code role} claim ({@code authenticated}, {@code service_role})
 */
public record CurrentUser(UUID id, String role) {
    public static final String AUTHENTICATED = "authenticated";
    public static final String SERVICE_ROLE = "service_role";

    public CurrentUser {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(role, "role");
    }

    public boolean isServiceRole() {
        return SERVICE_ROLE.equals(role);
    }
}
