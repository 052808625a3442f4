package dev.eryao.cli.doctor;

import dev.eryao.core.auth.JwksKeySource;
import dev.eryao.core.auth.KeySourceUnavailableException;
import dev.eryao.core.config.AuthSettings;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * How the API will verify callers: the JWKS URL answers with keys, or the JWT secret is long
 * enough for HS256; and which admin keys there are. Never prints a secret, only lengths and counts.
 */
final class AuthKeysCheck implements Check {
    @Override
    public String name() {
        return "auth";
    }

    @Override
    public Finding run(DoctorContext context) {
        AuthSettings auth = context.settings().auth();
        if (auth.unconfigured()) {
            return Finding.failed(
                    "nothing verifies user tokens",
                    "set ERYAO_AUTH__JWKS_URL=https://<ref>.supabase.co/auth/v1/.well-known/jwks.json"
                            + " and/or ERYAO_AUTH__JWT_SECRET (Project Settings > API)");
        }
        List<String> seen = new ArrayList<>();
        if (auth.jwks().isPresent()) {
            int keys;
            try {
                keys = new JwksKeySource(auth.jwks().get(), Clock.systemUTC()).fetchKeyCount();
            } catch (KeySourceUnavailableException e) {
                String cause = e.getCause() == null || e.getCause().getMessage() == null
                        ? e.getMessage()
                        : e.getCause().getMessage().lines().findFirst().orElse("");
                return Finding.failed(
                        "the JWKS URL " + auth.jwks().get() + " cannot be fetched (" + cause + ")",
                        "check ERYAO_AUTH__JWKS_URL: https://<ref>.supabase.co/auth/v1/.well-known/jwks.json");
            }
            if (keys == 0) {
                return Finding.failed(
                        "the JWKS URL " + auth.jwks().get() + " publishes no keys",
                        "with no asymmetric keys in the project, unset ERYAO_AUTH__JWKS_URL and set ERYAO_AUTH__JWT_SECRET");
            }
            seen.add("JWKS reachable with " + keys + " key(s)");
        }
        if (!auth.jwtSecret().isEmpty()) {
            int bytes = auth.jwtSecret().reveal().getBytes(StandardCharsets.UTF_8).length;
            if (bytes < AuthSettings.MIN_SECRET_BYTES) {
                return Finding.failed(
                        "ERYAO_AUTH__JWT_SECRET is " + bytes + " bytes, shorter than " + AuthSettings.MIN_SECRET_BYTES,
                        "copy the project's JWT secret from Project Settings > API");
            }
            seen.add("JWT secret set (" + bytes + " bytes)");
        }
        if (!auth.secretKeys().isEmpty()) {
            seen.add(auth.secretKeys().size() + " secret API key(s) for admin routes");
        }
        String summary = String.join(", ", seen);
        if (auth.secretKeys().isEmpty() && auth.jwtSecret().isEmpty()) {
            return Finding.warning(
                    summary + "; admin routes take only service_role tokens signed by a JWKS key",
                    "list the project's sb_secret_ key(s) in ERYAO_AUTH__SECRET_KEYS");
        }
        return Finding.ok(summary);
    }
}
