package dev.eryao.migrations;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Where one revision stands.
 *
 * @param appliedAt when it was applied, or null when pending
 * @param state     {@code applied}, {@code pending}, {@code edited} (applied, but its file changed since),
 *                  or {@code missing} (recorded as applied, but this build has no such file)
 */
public record HistoryEntry(String id, String slug, OffsetDateTime appliedAt, String state) {

    public boolean applied() {
        return appliedAt != null;
    }

    static List<HistoryEntry> merge(RevisionCatalog catalog, List<HistoryTable.Applied> appliedRows) {
        Map<String, HistoryTable.Applied> applied = appliedRows.stream()
                .collect(Collectors.toMap(HistoryTable.Applied::id, Function.identity(), (a, b) -> b));
        List<HistoryEntry> entries = new ArrayList<>();
        for (Revision revision : catalog.all()) {
            HistoryTable.Applied row = applied.remove(revision.id());
            if (row == null) {
                entries.add(new HistoryEntry(revision.id(), revision.slug(), null, "pending"));
            } else {
                boolean edited = row.checksum() != null && row.checksum() != revision.checksum();
                entries.add(new HistoryEntry(
                        revision.id(), revision.slug(), row.installedOn(), edited ? "edited" : "applied"));
            }
        }
        applied.values().forEach(row -> entries.add(new HistoryEntry(row.id(), "?", row.installedOn(), "missing")));
        entries.sort((a, b) -> a.id().compareTo(b.id()));
        return entries;
    }
}
