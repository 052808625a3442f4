package dev.eryao.migrations;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One schema revision: the upgrade Flyway applies and the downgrade this project runs.
 *
 * @param id           {@code 20260411_0001}, Alembic's revision id; Flyway's version is {@code 20260411.0001}
 * @param slug         {@code initial_llm_schema}
 * @param script       the file name, {@code V20260411_0001__initial_llm_schema.sql}, in both folders
 * @param checksum     Flyway's checksum of the upgrade, as its history table records it
 * @param upgradeSql   the upgrade script
 * @param downgradeSql the downgrade script, or null when the revision has none (or only comments)
 */
public record Revision(String id, String slug, String script, int checksum, String upgradeSql, String downgradeSql) {
    private static final Pattern FILE_NAME = Pattern.compile("V(\\d{8}_\\d{4})__([a-z0-9_]+)\\.sql");

    /** The parts of a revision file name, or null when the name is not one. */
    static Matcher parse(String fileName) {
        Matcher matcher = FILE_NAME.matcher(fileName);
        return matcher.matches() ? matcher : null;
    }

    /** Flyway's version string for this revision. */
    public String flywayVersion() {
        return id.replace('_', '.');
    }

    /** Flyway's description: the slug with spaces. */
    public String description() {
        return slug.replace('_', ' ');
    }

    public boolean hasDowngrade() {
        return downgradeSql != null;
    }

    /** {@code 20260411_0001 initial_llm_schema}, as progress lines and messages name a revision. */
    public String label() {
        return id + " " + slug;
    }

    static String idOfFlywayVersion(String version) {
        return version.replace('.', '_');
    }
}
