package dev.eryao.core.auth;

import dev.eryao.core.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Supabase's secret API keys ({@code sb_secret_…}, from {@code ERYAO_AUTH__SECRET_KEYS}) that
 * stand for the service role. Only their SHA-256 hashes are kept, and a presented key is compared
 * with every one of them by {@link MessageDigest#isEqual} (constant time, no early exit), so neither
 * the comparison's timing nor this object's memory gives a key away.
 */
final class SecretApiKeys {
    private final List<byte[]> hashes;

    SecretApiKeys(List<Secret> keys) {
        this.hashes = keys.stream().map(key -> sha256(key.reveal())).toList();
    }

    /** True when {@code presented} is one of the configured keys. */
    boolean matches(String presented) {
        byte[] hash = sha256(presented);
        boolean found = false;
        for (byte[] known : hashes) {
            found |= MessageDigest.isEqual(known, hash);
        }
        return found;
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
