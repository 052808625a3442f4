package dev.eryao.migrations.autogen;

import java.util.List;

/**
 * One difference between the models and the database, with the SQL that removes it and the SQL
 * that restores it.
 *
 * @param phase     where it goes in the upgrade: tables are created before their columns change,
 *                  indexes and foreign keys are dropped before what they cover, and so on
 * @param summary   one line for {@code eryao check}, e.g. {@code add column llms.max_tokens}
 * @param review    dangers a person must look at (data loss, narrowing, NOT NULL on rows): written
 *                  as {@code -- REVIEW:} lines above the statement
 * @param notes     hints that are not dangers (a drop and an add that may be a rename)
 */
public record Change(
        int phase, String summary, String upgrade, String downgrade, List<String> review, List<String> notes) {
    static final int CREATE_TABLE = 0;
    static final int ADD_COLUMN = 1;
    static final int ALTER = 2;
    static final int DROP_FOREIGN_KEY = 3;
    static final int DROP_INDEX = 4;
    static final int CREATE_INDEX = 5;
    static final int ADD_FOREIGN_KEY = 6;
    static final int DROP_COLUMN = 7;
    static final int DROP_TABLE = 8;

    static Change of(int phase, String summary, String upgrade, String downgrade) {
        return new Change(phase, summary, upgrade, downgrade, List.of(), List.of());
    }

    Change withReview(String danger) {
        return new Change(phase, summary, upgrade, downgrade, append(review, danger), notes);
    }

    Change withNote(String note) {
        return new Change(phase, summary, upgrade, downgrade, review, append(notes, note));
    }

    public boolean dangerous() {
        return !review.isEmpty();
    }

    private static List<String> append(List<String> list, String item) {
        return java.util.stream.Stream.concat(list.stream(), java.util.stream.Stream.of(item))
                .toList();
    }
}
