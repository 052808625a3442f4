package dev.eryao.migrations;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.zip.CRC32;

/**
 * Every revision the application carries, read from the classpath without a database: for each
 * root (normally {@code db}), upgrades in {@code <root>/migration} and their downgrades under the
 * same file name in {@code <root>/downgrade}. Flyway reads the same upgrade files.
 */
public final class RevisionCatalog {
    public static final String DEFAULT_ROOT = "db";

    private final List<String> roots;
    private final List<Revision> revisions;

    private RevisionCatalog(List<String> roots, List<Revision> revisions) {
        this.roots = List.copyOf(roots);
        this.revisions = List.copyOf(revisions);
    }

    public static RevisionCatalog load() {
        return load(List.of(DEFAULT_ROOT));
    }

    /** @param roots classpath folders holding {@code migration/} and {@code downgrade/} */
    public static RevisionCatalog load(List<String> roots) {
        ClassLoader loader = RevisionCatalog.class.getClassLoader();
        List<Revision> found = new ArrayList<>();
        for (String root : roots) {
            for (String fileName : ClasspathFolder.list(loader, root + "/migration")) {
                Matcher name = Revision.parse(fileName);
                if (name == null) {
                    throw new IllegalStateException("not a revision file name: " + root + "/migration/" + fileName
                            + " (expected V<YYYYMMDD>_<NNNN>__<slug>.sql)");
                }
                String upgrade = ClasspathFolder.read(loader, root + "/migration/" + fileName);
                String downgrade = loader.getResource(root + "/downgrade/" + fileName) == null
                        ? null
                        : ClasspathFolder.read(loader, root + "/downgrade/" + fileName);
                found.add(new Revision(
                        name.group(1),
                        name.group(2),
                        fileName,
                        flywayChecksum(upgrade),
                        upgrade,
                        hasStatements(downgrade) ? downgrade : null));
            }
        }
        found.sort(Comparator.comparing(Revision::id));
        for (int i = 1; i < found.size(); i++) {
            if (found.get(i).id().equals(found.get(i - 1).id())) {
                throw new IllegalStateException(
                        "two revisions share the id " + found.get(i).id());
            }
        }
        return new RevisionCatalog(roots, found);
    }

    /** Oldest first. */
    public List<Revision> all() {
        return revisions;
    }

    public Optional<Revision> find(String id) {
        return revisions.stream().filter(r -> r.id().equals(id)).findFirst();
    }

    /** The newest revision, or empty when there are none. */
    public Optional<Revision> head() {
        return revisions.isEmpty() ? Optional.empty() : Optional.of(revisions.getLast());
    }

    /** Flyway locations for these roots. */
    public String[] flywayLocations() {
        return roots.stream().map(root -> "classpath:" + root + "/migration").toArray(String[]::new);
    }

    /**
     * Flyway's checksum of a SQL migration: CRC32 over the UTF-8 bytes of each line without its
     * line break (and without a leading byte-order mark), so offline scripts can write history rows
     * Flyway accepts as its own.
     */
    static int flywayChecksum(String script) {
        CRC32 crc = new CRC32();
        String text = script.startsWith("\uFEFF") ? script.substring(1) : script;
        text.lines().forEach(line -> crc.update(line.getBytes(StandardCharsets.UTF_8)));
        return (int) crc.getValue();
    }

    /** False for null, blank, or only comments: such a downgrade would silently do nothing. */
    static boolean hasStatements(String sql) {
        if (sql == null) {
            return false;
        }
        return sql.lines().map(String::strip).anyMatch(line -> !line.isEmpty() && !line.startsWith("--"));
    }
}
