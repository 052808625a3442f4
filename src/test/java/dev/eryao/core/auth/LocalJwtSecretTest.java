package dev.eryao.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The local secret's file is owner-only from the start and whole once it has its name, one file
 * however many processes make it at once, and a secret file others may read is refused.
 */
class LocalJwtSecretTest {
    private static final int AT_ONCE = 8;
    private static final int ROUNDS = 25;
    private static final int OBSERVERS = 2;

    @TempDir
    Path dataDir;

    @BeforeEach
    void posixOnly() {
        assumeTrue(
                dataDir.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "file permissions are POSIX's: elsewhere the file gets what its directory gives");
    }

    @Test
    void aNewSecretIsOwnerOnlyAndIsAllTheDirectoryGains() throws IOException {
        LocalJwtSecret made = LocalJwtSecret.loadOrCreate(dataDir);

        assertThat(made.created()).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made.file())))
                .isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(dataDir)) {
            assertThat(files).as("no temporary file left behind").containsExactly(made.file());
        }
        LocalJwtSecret again = LocalJwtSecret.loadOrCreate(dataDir);
        assertThat(again.created()).isFalse();
        assertThat(again.secret().reveal()).isEqualTo(made.secret().reveal());
    }

    @ParameterizedTest(name = "a secret file with {0} is refused")
    @ValueSource(strings = {"rw-r--r--", "rw-rw----", "rw-----w-", "rwx---r-x"})
    void anExistingSecretOthersMayReadOrWriteIsRefusedAndLeftAsItIs(String permissions) throws IOException {
        Path file = dataDir.resolve(LocalJwtSecret.FILE_NAME);
        String content = "a-secret-long-enough-to-be-used-by-hs256-0123456789\n";
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));

        assertThatThrownBy(() -> LocalJwtSecret.loadOrCreate(dataDir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(
                        file.toAbsolutePath() + " may be read or written by others (" + permissions + ")")
                .hasMessageContaining("delete it")
                .hasMessageContaining("chmod 600");
        assertThat(Files.readString(file)).isEqualTo(content);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo(permissions);
    }

    @Test
    void anExistingOwnerOnlySecretIsUsed() throws IOException {
        Path file = dataDir.resolve(LocalJwtSecret.FILE_NAME);
        Files.writeString(file, "a-secret-long-enough-to-be-used-by-hs256-0123456789\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));

        LocalJwtSecret found = LocalJwtSecret.loadOrCreate(dataDir);

        assertThat(found.created()).isFalse();
        assertThat(found.secret().reveal()).isEqualTo("a-secret-long-enough-to-be-used-by-hs256-0123456789");
    }

    /**
     * Processes starting at once (serve and token, say) on a fresh data directory: one makes the
     * file and the others read that one, never a file that has its name but not yet its secret;
     * and whoever looks at the file the moment it has its name finds it owner-only already.
     */
    @Test
    void secretsMadeAtOnceAreOneSecretAndNoneSeesAHalfWrittenOrOpenFile() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Path fresh = Files.createDirectory(dataDir.resolve("round-" + round));
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<LocalJwtSecret>> made = new ArrayList<>();
            for (int i = 0; i < AT_ONCE; i++) {
                CompletableFuture<LocalJwtSecret> secret = new CompletableFuture<>();
                Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        secret.complete(LocalJwtSecret.loadOrCreate(fresh));
                    } catch (Throwable e) {
                        secret.completeExceptionally(e);
                    }
                });
                made.add(secret);
            }
            CompletableFuture<Void> allMade = CompletableFuture.allOf(made.toArray(CompletableFuture[]::new));
            List<CompletableFuture<String>> firstSight = new ArrayList<>();
            for (int i = 0; i < OBSERVERS; i++) {
                firstSight.add(permissionsOnceItExists(fresh.resolve(LocalJwtSecret.FILE_NAME), start, allMade));
            }
            start.countDown();

            for (CompletableFuture<String> seen : firstSight) {
                assertThat(seen.get())
                        .as("round %d: the file's permissions when first seen", round)
                        .isEqualTo("rw-------");
            }

            List<String> secrets = new ArrayList<>();
            int created = 0;
            for (CompletableFuture<LocalJwtSecret> secret : made) {
                secrets.add(secret.get().secret().reveal());
                created += secret.get().created() ? 1 : 0;
            }
            assertThat(secrets).as("round %d", round).containsOnly(secrets.getFirst());
            assertThat(created).as("round %d: how many made the file", round).isEqualTo(1);
            try (Stream<Path> files = Files.list(fresh)) {
                assertThat(files).as("round %d", round).containsExactly(fresh.resolve(LocalJwtSecret.FILE_NAME));
            }
        }
    }

    /**
     * Looks for {@code file} without pause from {@code start} on and reads its permissions as soon
     * as it is there; "never there" if it still is not once {@code makers} are all done.
     */
    private static CompletableFuture<String> permissionsOnceItExists(
            Path file, CountDownLatch start, CompletableFuture<?> makers) {
        CompletableFuture<String> seen = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                start.await();
                boolean last = false;
                while (!seen.isDone()) {
                    try {
                        seen.complete(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
                    } catch (NoSuchFileException notYet) {
                        if (last) {
                            seen.complete("never there");
                        }
                        last = makers.isDone();
                        Thread.onSpinWait();
                    }
                }
            } catch (Throwable e) {
                seen.completeExceptionally(e);
            }
        });
        return seen;
    }
}
