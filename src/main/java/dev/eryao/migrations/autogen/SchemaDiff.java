package dev.eryao.migrations.autogen;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What it takes to turn the live schema into the one the models describe: a list of
 * {@link Change}s in upgrade order; their downgrades, in reverse order, turn it back exactly.
 * A rename cannot be told from a drop and an add; where both appear together the changes say so.
 */
final class SchemaDiff {
    private static final Pattern SIZED =
            Pattern.compile("(character varying|character|numeric)\\((\\d+)(?:,(\\d+))?\\)");

    private final List<Change> changes = new ArrayList<>();

    private SchemaDiff() {}

    static List<Change> between(Shapes.Schema live, Shapes.Schema meant) {
        SchemaDiff diff = new SchemaDiff();
        List<String> created = meant.tables().keySet().stream()
                .filter(t -> live.table(t).isEmpty())
                .toList();
        List<String> dropped = live.tables().keySet().stream()
                .filter(t -> meant.table(t).isEmpty())
                .toList();
        created.forEach(name -> diff.createTable(meant.tables().get(name), dropped));
        dropped.forEach(name -> diff.dropTable(live.tables().get(name), created));
        meant.tables().values().stream()
                .filter(t -> live.table(t.name()).isPresent())
                .forEach(t -> diff.compareTable(live.tables().get(t.name()), t));
        diff.changes.sort(Comparator.comparingInt(Change::phase));
        return List.copyOf(diff.changes);
    }

    private void createTable(Shapes.Table table, List<String> dropped) {
        Change create = Change.of(
                Change.CREATE_TABLE,
                "create table " + table.name(),
                Ddl.createTable("", table) + "\n" + Ddl.enableRls(table.name()) + "\n" + Ddl.clientAccess(table),
                "DROP TABLE " + Ddl.quote(table.name()) + ";");
        changes.add(
                dropped.isEmpty()
                        ? create
                        : create.withNote("tables " + String.join(", ", dropped)
                                + " are dropped in this revision: if " + table.name()
                                + " is one of them renamed, use ALTER TABLE ... RENAME TO"
                                + " instead of the drop and create, or its rows are lost"));
        table.indexes().values().forEach(index -> addIndex(table.name(), index));
        table.foreignKeys().values().forEach(key -> addForeignKey(table.name(), key));
    }

    private void dropTable(Shapes.Table table, List<String> created) {
        String recreate = Ddl.createTable("", table)
                + (table.rls() ? "\n" + Ddl.enableRls(table.name()) + "\n" + Ddl.clientAccess(table) : "");
        Change drop = Change.of(
                        Change.DROP_TABLE,
                        "drop table " + table.name(),
                        "DROP TABLE " + Ddl.quote(table.name()) + ";",
                        recreate)
                .withReview("drops table " + table.name() + (table.hasRows() ? ", which has rows," : "")
                        + " and all its data; the downgrade recreates it empty");
        changes.add(
                created.isEmpty()
                        ? drop
                        : drop.withNote("tables " + String.join(", ", created)
                                + " are created in this revision: if one of them is " + table.name() + " renamed, use"
                                + " ALTER TABLE " + table.name() + " RENAME TO ... instead"));
        table.indexes().values().forEach(index -> dropIndex(table.name(), index));
        table.foreignKeys().values().forEach(key -> dropForeignKey(table.name(), key));
    }

    private void compareTable(Shapes.Table live, Shapes.Table meant) {
        List<String> added = meant.columns().stream()
                .map(Shapes.Column::name)
                .filter(c -> live.column(c).isEmpty())
                .toList();
        List<String> removed = live.columns().stream()
                .map(Shapes.Column::name)
                .filter(c -> meant.column(c).isEmpty())
                .toList();
        for (String name : added) {
            addColumn(live, meant.column(name).orElseThrow(), removed);
        }
        for (String name : removed) {
            dropColumn(live, live.column(name).orElseThrow(), added);
        }
        for (Shapes.Column column : meant.columns()) {
            live.column(column.name()).ifPresent(old -> alterColumn(live, old, column));
        }
        if (meant.rls() && !live.rls()) {
            changes.add(Change.of(
                    Change.ALTER,
                    "enable row level security on " + live.name(),
                    Ddl.enableRls(live.name()),
                    "ALTER TABLE " + Ddl.quote(live.name()) + " DISABLE ROW LEVEL SECURITY;"));
        }
        meant.indexes().values().forEach(index -> {
            Shapes.Index old = live.indexes().get(index.name());
            if (old == null) {
                addIndex(live.name(), index);
            } else if (!old.equals(index)) {
                dropIndex(live.name(), old);
                addIndex(live.name(), index);
            }
        });
        live.indexes().values().stream()
                .filter(index -> !meant.indexes().containsKey(index.name()))
                .forEach(index -> dropIndex(live.name(), index));
        meant.foreignKeys().values().forEach(key -> {
            Shapes.ForeignKey old = live.foreignKeys().get(key.name());
            if (old == null) {
                addForeignKey(live.name(), key);
            } else if (!old.equals(key)) {
                dropForeignKey(live.name(), old);
                addForeignKey(live.name(), key);
            }
        });
        live.foreignKeys().values().stream()
                .filter(key -> !meant.foreignKeys().containsKey(key.name()))
                .forEach(key -> dropForeignKey(live.name(), key));
    }

    private void addColumn(Shapes.Table table, Shapes.Column column, List<String> removed) {
        String where = table.name() + "." + column.name();
        Change add = Change.of(
                Change.ADD_COLUMN,
                "add column " + where,
                "ALTER TABLE " + Ddl.quote(table.name()) + " ADD COLUMN " + Ddl.quote(column.name()) + " "
                        + Ddl.columnDefinition(column) + ";",
                "ALTER TABLE " + Ddl.quote(table.name()) + " DROP COLUMN " + Ddl.quote(column.name()) + ";");
        if (column.notNull() && column.defaultExpression() == null && table.hasRows()) {
            add = add.withReview(
                    "adds NOT NULL column " + where + " without a default to a table with rows: this fails;"
                            + " add it nullable, backfill, then SET NOT NULL in a later revision");
        }
        changes.add(removed.isEmpty() ? add : add.withNote(renameHint(table.name(), removed, column.name())));
    }

    private void dropColumn(Shapes.Table table, Shapes.Column column, List<String> added) {
        Change drop = Change.of(
                        Change.DROP_COLUMN,
                        "drop column " + table.name() + "." + column.name(),
                        "ALTER TABLE " + Ddl.quote(table.name()) + " DROP COLUMN " + Ddl.quote(column.name()) + ";",
                        "ALTER TABLE " + Ddl.quote(table.name()) + " ADD COLUMN " + Ddl.quote(column.name()) + " "
                                + Ddl.columnDefinition(column) + ";")
                .withReview("drops column " + table.name() + "." + column.name()
                        + " and its data; the downgrade re-adds it empty");
        changes.add(
                added.isEmpty()
                        ? drop
                        : drop.withNote(renameHint(table.name(), List.of(column.name()), added.getFirst())));
    }

    private void alterColumn(Shapes.Table table, Shapes.Column old, Shapes.Column meant) {
        String where = table.name() + "." + old.name();
        if (!old.type().equals(meant.type())) {
            Change alter = Change.of(
                    Change.ALTER,
                    "change type of " + where + " from " + old.type() + " to " + meant.type(),
                    Ddl.alterColumn(
                            table.name(),
                            old.name(),
                            "TYPE " + meant.type() + " USING " + Ddl.quote(old.name()) + "::" + meant.type()),
                    Ddl.alterColumn(
                            table.name(),
                            old.name(),
                            "TYPE " + old.type() + " USING " + Ddl.quote(old.name()) + "::" + old.type()));
            changes.add(
                    narrows(old.type(), meant.type())
                            ? alter.withReview("narrows " + where + " from " + old.type() + " to " + meant.type()
                                    + ": values that do not fit make it fail")
                            : alter);
        }
        if (!Objects.equals(old.defaultExpression(), meant.defaultExpression())) {
            changes.add(Change.of(
                    Change.ALTER,
                    "change default of " + where,
                    Ddl.alterColumn(table.name(), old.name(), defaultAction(meant.defaultExpression())),
                    Ddl.alterColumn(table.name(), old.name(), defaultAction(old.defaultExpression()))));
        }
        if (old.notNull() != meant.notNull()) {
            Change nullability = Change.of(
                    Change.ALTER,
                    (meant.notNull() ? "set not null on " : "drop not null on ") + where,
                    Ddl.alterColumn(table.name(), old.name(), meant.notNull() ? "SET NOT NULL" : "DROP NOT NULL"),
                    Ddl.alterColumn(table.name(), old.name(), meant.notNull() ? "DROP NOT NULL" : "SET NOT NULL"));
            changes.add(
                    meant.notNull() && table.hasRows()
                            ? nullability.withReview("SET NOT NULL on " + where
                                    + " of a table with rows: fails if any row holds NULL; backfill first")
                            : nullability);
        }
    }

    private void addIndex(String table, Shapes.Index index) {
        changes.add(Change.of(
                Change.CREATE_INDEX,
                "create index " + index.name(),
                Ddl.createIndex("", table, index),
                Ddl.dropIndex(index)));
    }

    private void dropIndex(String table, Shapes.Index index) {
        changes.add(Change.of(
                Change.DROP_INDEX,
                "drop index " + index.name(),
                Ddl.dropIndex(index),
                Ddl.createIndex("", table, index)));
    }

    private void addForeignKey(String table, Shapes.ForeignKey key) {
        changes.add(Change.of(
                Change.ADD_FOREIGN_KEY,
                "add foreign key " + key.name(),
                Ddl.addForeignKey("", table, key),
                Ddl.dropForeignKey(table, key)));
    }

    private void dropForeignKey(String table, Shapes.ForeignKey key) {
        changes.add(Change.of(
                Change.DROP_FOREIGN_KEY,
                "drop foreign key " + key.name(),
                Ddl.dropForeignKey(table, key),
                Ddl.addForeignKey("", table, key)));
    }

    private static String defaultAction(String expression) {
        return expression == null ? "DROP DEFAULT" : "SET DEFAULT " + expression;
    }

    private static String renameHint(String table, List<String> removed, String added) {
        return "columns " + String.join(", ", removed) + " of " + table + " are dropped and " + added
                + " is added: if it is a rename, use ALTER TABLE " + Ddl.quote(table) + " RENAME COLUMN ... TO "
                + Ddl.quote(added) + " instead, or the data is lost";
    }

    /**
     * True when some value of {@code from} may not fit {@code to}: a shorter varchar, fewer numeric
     * digits, a smaller integer, or any change of kind other than to {@code text}.
     */
    static boolean narrows(String from, String to) {
        if (to.equals("text") && (from.startsWith("character") || from.equals("text"))) {
            return false;
        }
        List<String> integers = List.of("smallint", "integer", "bigint");
        if (integers.contains(from) && integers.contains(to)) {
            return integers.indexOf(to) < integers.indexOf(from);
        }
        Matcher a = SIZED.matcher(from);
        Matcher b = SIZED.matcher(to);
        if (a.matches() && b.matches() && a.group(1).equals(b.group(1))) {
            boolean shorter = Integer.parseInt(b.group(2)) < Integer.parseInt(a.group(2));
            boolean fewerDecimals = a.group(3) != null
                    && b.group(3) != null
                    && Integer.parseInt(b.group(3)) < Integer.parseInt(a.group(3));
            return shorter || fewerDecimals;
        }
        return true;
    }
}
