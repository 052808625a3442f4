package dev.eryao.core.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * A small file only its owner may read from the moment it exists. It is written whole to a
 * temporary file in the same directory that is created owner-only (the permissions go to the
 * {@code open} that makes it, and the umask can only narrow them: never made wider, then narrowed,
 * so no other local user can open it in between), then given its name by a hard link, which, unlike
 * a rename, refuses to replace a file another process named first. So the name never shows a file
 * that is half-written or readable by others, and two processes making it at once agree on one.
 *
 * <p>Where the file system has no POSIX permissions (Windows) the file gets what its directory
 * gives; where it has no hard links it is moved into place, refused if the name is taken.
 */
final class OwnerOnlyFile {
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private OwnerOnlyFile() {}

    /** Makes {@code file} holding {@code content}; false, changing nothing, when it already exists. */
    static boolean createIfAbsent(Path file, String content) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Path temporary = Files.createTempFile(directory, "." + file.getFileName() + "-", ".tmp", ownerOnly(directory));
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            return publish(temporary, file);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** What anyone but the owner may do with {@code file}; empty where permissions are not POSIX. */
    static Set<PosixFilePermission> beyondOwner(Path file) throws IOException {
        if (!posix(file.toAbsolutePath().getParent())) {
            return Set.of();
        }
        Set<PosixFilePermission> others = EnumSet.noneOf(PosixFilePermission.class);
        others.addAll(Files.getPosixFilePermissions(file));
        others.removeAll(EnumSet.of(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
        return others;
    }

    private static boolean publish(Path temporary, Path file) throws IOException {
        try {
            Files.createLink(file, temporary);
            return true;
        } catch (FileAlreadyExistsException raced) {
            return false;
        } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
            try {
                Files.move(temporary, file);
                return true;
            } catch (FileAlreadyExistsException raced) {
                return false;
            }
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path directory) {
        return posix(directory)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
    }

    private static boolean posix(Path directory) {
        return directory.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
