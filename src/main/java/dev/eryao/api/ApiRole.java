package dev.eryao.api;

import io.javalin.security.RouteRole;

/** Who may call a route; every route declares one, and {@link AuthHandler} enforces it. */
public enum ApiRole implements RouteRole {
    /** No token needed: health, metrics, the API's own documentation. */
    ANYONE,
    /** A verified Supabase user (role {@code authenticated} or {@code service_role}). */
    USER,
    /** The backend's administrators: a verified token with role {@code service_role}. */
    SERVICE_ROLE
}
