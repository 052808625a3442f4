package dev.eryao.migrations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.stream.Stream;

/**
 * {@code eryao revision -m "msg"}: writes a new empty revision named {@code YYYYMMDD_####_<slug>}
 * (today in UTC, the next number for that day, the slug from the message) as an upgrade file in
 * {@code <db>/migration} and its downgrade in {@code <db>/downgrade}, for a person to fill in.
 */
public final class RevisionWriter {
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;
    private static final int SLUG_MAX_LENGTH = 60;

    private final Path dbDir;
    private final Clock clock;

    /** @param dbDir the folder holding {@code migration/} and {@code downgrade/}, e.g. {@code src/main/resources/db} */
    public RevisionWriter(Path dbDir, Clock clock) {
        this.dbDir = dbDir;
        this.clock = clock;
    }

    /** The revision written, with the path of its upgrade file. */
    public record Written(String id, String slug, Path upgrade, Path downgrade) {}

    /** An empty revision for a person to fill in. */
    public Written write(String message) {
        return write(message, "", "");
    }

    /**
     * A revision with the given statements (autogenerate's), still meant to be read and edited.
     *
     * @param upgradeBody   SQL after the upgrade's header, or "" for an empty revision
     * @param downgradeBody SQL after the downgrade's header, or ""
     */
    public Written write(String message, String upgradeBody, String downgradeBody) {
        String slug = slug(message);
        Path migrations = dbDir.resolve("migration");
        if (!Files.isDirectory(migrations)) {
            throw new UncheckedIOException(
                    "no revisions folder at " + migrations + " (run from the project root, or pass --dir)",
                    new NoSuchFileException(migrations.toString()));
        }
        String day = LocalDate.now(clock).format(DAY);
        String id = day + "_" + String.format(Locale.ROOT, "%04d", nextNumber(migrations, day));
        String fileName = "V" + id + "__" + slug + ".sql";
        Path upgrade = migrations.resolve(fileName);
        Path downgrade = dbDir.resolve("downgrade").resolve(fileName);
        try {
            Files.createDirectories(downgrade.getParent());
            String generated = upgradeBody.isEmpty()
                    ? ""
                    : "-- Written by `eryao revision --autogenerate`: review"
                            + " every statement, above all those marked REVIEW.\n";
            Files.writeString(upgrade, """
                    -- %s %s: %s
                    -- Upgrade. Runs in one transaction. Every new table in public needs
                    -- ALTER TABLE ... ENABLE ROW LEVEL SECURITY; indexes are named ix_<table>_<columns>.
                    %s
                    """.formatted(id, slug, message.strip(), generated) + body(upgradeBody));
            Files.writeString(downgrade, """
                    -- Downgrade of %s %s: undo exactly what the upgrade does, in reverse order.
                    -- While this file holds only comments, `eryao downgrade` refuses to pass this revision.

                    """.formatted(id, slug) + body(downgradeBody));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + upgrade + ": " + e, e);
        }
        return new Written(id, slug, upgrade, downgrade);
    }

    private static String body(String sql) {
        return sql.isEmpty() ? "" : sql.strip() + "\n";
    }

    /** {@code "Add user preferences table!"} → {@code add_user_preferences_table}. */
    public static String slug(String message) {
        String slug = message == null
                ? ""
                : message.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        if (slug.isEmpty()) {
            throw new IllegalArgumentException(
                    "the message must contain letters or digits, e.g. -m \"add user preferences\"");
        }
        return slug.length() <= SLUG_MAX_LENGTH
                ? slug
                : slug.substring(0, SLUG_MAX_LENGTH).replaceAll("_+$", "");
    }

    private static int nextNumber(Path migrations, String day) {
        try (Stream<Path> files = Files.list(migrations)) {
            return files.map(file -> Revision.parse(file.getFileName().toString()))
                            .filter(name -> name != null && name.group(1).startsWith(day + "_"))
                            .map((Matcher name) ->
                                    Integer.parseInt(name.group(1).substring(day.length() + 1)))
                            .max(Integer::compare)
                            .orElse(0)
                    + 1;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + migrations + ": " + e, e);
        }
    }
}
