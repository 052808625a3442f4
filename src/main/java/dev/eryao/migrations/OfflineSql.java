package dev.eryao.migrations;

import java.util.List;

/**
 * Alembic's offline mode: the SQL a {@code migrate} or {@code downgrade} would run, as one script
 * for {@code psql -v ON_ERROR_STOP=1 -f}, built from the files alone without touching a database.
 * The script takes the same lock and writes the same history rows as the online commands, so a
 * database brought up by it is one that {@code eryao migrate} carries on from.
 */
public final class OfflineSql {
    private OfflineSql() {}

    /**
     * @param fromId the revision the database is at ({@code base} or null: none)
     * @param toId   the revision to stop at (null: head)
     */
    public static String upgrade(RevisionCatalog catalog, String fromId, String toId) {
        String from = fromId == null ? "base" : fromId;
        requireKnownOrBase(catalog, from);
        if (toId != null) {
            requireKnownOrBase(catalog, toId);
        }
        List<Revision> pending = catalog.all().stream()
                .filter(r -> "base".equals(from) || r.id().compareTo(from) > 0)
                .filter(r -> toId == null || r.id().compareTo(toId) <= 0)
                .toList();
        StringBuilder sql = new StringBuilder();
        sql.append("-- eryao migrate --sql: from ")
                .append(from)
                .append(" to ")
                .append(toId == null ? "head" : toId)
                .append(", ")
                .append(pending.size())
                .append(" revision(s)\n\n");
        sql.append("-- Flyway's history table, as Flyway itself creates it, closed to Supabase's API roles\n")
                .append(HistoryTable.CREATE_SQL)
                .append("\n");
        if (pending.stream().anyMatch(r -> r.id().equals(ReaderRole.REVISION))) {
            sql.append("\n-- the reader role without BYPASSRLS where this login cannot grant it (PostgreSQL 15)\n")
                    .append(ReaderRole.SQL)
                    .append("\n");
        }
        for (Revision revision : pending) {
            sql.append("\n-- applying ")
                    .append(revision.label())
                    .append('\n')
                    .append("BEGIN;\n")
                    .append(MigrationLock.sql())
                    .append(";\n")
                    .append(terminated(revision.upgradeSql()))
                    .append(HistoryTable.insertSql(revision, 0))
                    .append(";\n")
                    .append("COMMIT;\n");
        }
        return sql.toString();
    }

    /**
     * @param fromId the revision the database is at (null: head)
     * @param target a revision id, {@code base} or {@code -N}
     */
    public static String downgrade(RevisionCatalog catalog, String fromId, String target) {
        String from = fromId == null ? catalog.head().map(Revision::id).orElse("base") : fromId;
        requireKnownOrBase(catalog, from);
        List<String> applied = catalog.all().stream()
                .map(Revision::id)
                .filter(id -> !"base".equals(from) && id.compareTo(from) <= 0)
                .toList();
        List<Revision> plan = DowngradePlan.revisionsToRevert(catalog, applied, target);
        StringBuilder sql = new StringBuilder();
        sql.append("-- eryao downgrade ")
                .append(target)
                .append(" --sql: from ")
                .append(from)
                .append(", ")
                .append(plan.size())
                .append(" revision(s), in one transaction\n\n")
                .append("BEGIN;\n")
                .append(MigrationLock.sql())
                .append(";\n");
        for (Revision revision : plan) {
            sql.append("\n-- reverting ")
                    .append(revision.label())
                    .append('\n')
                    .append(terminated(revision.downgradeSql()))
                    .append(HistoryTable.deleteSql(revision))
                    .append(";\n");
        }
        return sql.append("\nCOMMIT;\n").toString();
    }

    private static void requireKnownOrBase(RevisionCatalog catalog, String id) {
        if (!"base".equals(id) && catalog.find(id).isEmpty()) {
            throw new MigrationFailedException("unknown revision " + id, null);
        }
    }

    private static String terminated(String script) {
        String stripped = script.stripTrailing();
        return stripped.endsWith(";") ? stripped + "\n" : stripped + ";\n";
    }
}
