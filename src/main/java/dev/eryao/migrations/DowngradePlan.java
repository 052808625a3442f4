package dev.eryao.migrations;

import java.util.ArrayList;
import java.util.List;

/** Which applied revisions a downgrade reverts, newest first, checked before anything runs. */
final class DowngradePlan {
    private DowngradePlan() {}

    /**
     * @param applied ids of applied revisions, in any order
     * @param target  a revision id to end at, {@code base}, or {@code -N}
     * @throws MigrationFailedException for an unknown target, or a revision to revert that this
     *                                  build does not have or that has no downgrade
     */
    static List<Revision> revisionsToRevert(RevisionCatalog catalog, List<String> applied, String target) {
        List<String> newestFirst =
                applied.stream().sorted((a, b) -> b.compareTo(a)).toList();
        int count = revertCount(catalog, newestFirst, target);
        List<Revision> plan = new ArrayList<>();
        for (String id : newestFirst.subList(0, count)) {
            Revision revision = catalog.find(id)
                    .orElseThrow(() -> new MigrationFailedException(
                            "revision " + id + " is applied but this build does not have it, so nothing was changed",
                            null));
            if (!revision.hasDowngrade()) {
                throw new MigrationFailedException(
                        "revision " + revision.label() + " has no downgrade (db/downgrade/" + revision.script()
                                + " is missing or empty), so nothing was changed",
                        null);
            }
            plan.add(revision);
        }
        return plan;
    }

    private static int revertCount(RevisionCatalog catalog, List<String> newestFirst, String target) {
        if ("base".equals(target)) {
            return newestFirst.size();
        }
        if (target.matches("-\\d+")) {
            int steps = Integer.parseInt(target.substring(1));
            if (steps < 1 || steps > newestFirst.size()) {
                throw new MigrationFailedException(
                        "cannot go " + steps + " revision(s) back: " + newestFirst.size() + " applied", null);
            }
            return steps;
        }
        if (catalog.find(target).isEmpty()) {
            throw new MigrationFailedException("unknown revision " + target, null);
        }
        if (!newestFirst.contains(target)) {
            throw new MigrationFailedException(
                    "revision " + target + " is not applied; downgrade goes back to an "
                            + "applied revision (see `eryao history`)",
                    null);
        }
        return (int) newestFirst.stream().filter(id -> id.compareTo(target) > 0).count();
    }
}
