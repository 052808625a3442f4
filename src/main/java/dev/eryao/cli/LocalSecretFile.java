package dev.eryao.cli;

import dev.eryao.core.auth.LocalJwtSecret;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The local HS256 secret that {@code serve} and {@code token} share. What can go wrong with its
 * file — unreadable, too short, open to others — is the user's to fix, and {@link LocalJwtSecret}'s
 * message says how, so it is a {@link UserError} here.
 */
final class LocalSecretFile {
    private LocalSecretFile() {}

    static LocalJwtSecret loadOrCreate(Path dataDir) {
        try {
            return LocalJwtSecret.loadOrCreate(dataDir);
        } catch (IllegalStateException e) {
            // LocalJwtSecret's own refusals (no usable secret, readable by others), each saying what to do.
            throw new UserError(e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new UserError(
                    e.getMessage() + ": " + e.getCause() + " (check ERYAO_DATA_DIR and its permissions)", e);
        }
    }
}
