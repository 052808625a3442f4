package dev.eryao.core.auth;

import dev.eryao.core.config.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The HS256 secret of a developer's machine: with the embedded database and no auth settings,
 * {@code serve} verifies tokens with it and {@code token} signs them, so the API can be tried with
 * curl and no Supabase project. Kept in {@code <data dir>/jwt-secret}, readable by its owner only
 * from the moment it exists ({@link OwnerOnlyFile}); a file there that others may read or write is
 * refused, not used (anyone who could read it can sign tokens the API accepts). Never used when
 * {@code ERYAO_AUTH__*} is set.
 *
 * @param secret  the secret
 * @param file    where it is kept
 * @param created true when this call made it
 */
public record LocalJwtSecret(Secret secret, Path file, boolean created) {
    public static final String FILE_NAME = "jwt-secret";

    /** Reads the secret in {@code dataDir}, making one first when there is none. */
    public static LocalJwtSecret loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dataDir);
                byte[] random = new byte[48];
                new SecureRandom().nextBytes(random);
                String value = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
                if (OwnerOnlyFile.createIfAbsent(file, value + "\n")) {
                    return new LocalJwtSecret(Secret.of(value), file, true);
                }
                // another process made it first: use theirs
            }
            refuseIfOthersMay(file);
            String value = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (value.getBytes(StandardCharsets.UTF_8).length < 32) {
                throw new IllegalStateException(file + " holds no usable secret: delete it and start again");
            }
            return new LocalJwtSecret(Secret.of(value), file, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    private static void refuseIfOthersMay(Path file) throws IOException {
        if (!OwnerOnlyFile.beyondOwner(file).isEmpty()) {
            throw new IllegalStateException(file + " may be read or written by others ("
                    + PosixFilePermissions.toString(Files.getPosixFilePermissions(file))
                    + "), and whoever reads it can sign tokens this API accepts: delete it (a new one is made at the"
                    + " next start, and tokens signed with the old one stop working) or, if no one else can have"
                    + " read it, make it owner-only (chmod 600)");
        }
    }
}
