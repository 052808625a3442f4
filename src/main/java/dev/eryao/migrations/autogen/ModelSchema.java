package dev.eryao.migrations.autogen;

import dev.eryao.core.db.BaseEntity;
import dev.eryao.core.db.References;
import jakarta.persistence.Table;
import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.mapping.PersistentClass;

/**
 * The schema the models describe, from Hibernate's mapping metadata: tables, column types (as
 * Hibernate maps them), nullability, {@code @ColumnDefault}s, the id primary key, JPA
 * {@code @Index}es (a partial one carries its {@code WHERE} in {@code options}) and
 * {@link References} foreign keys. Every table is meant to have RLS.
 *
 * <p>To compare it with the live database as equals, the models' tables are built as temporary
 * tables in a transaction that is then rolled back, and read back by {@link CatalogReader}:
 * PostgreSQL itself spells every type, default and predicate, on both sides. Nothing persists.
 */
final class ModelSchema {
    private static final List<String> TRAILING_COLUMNS = List.of("created_at", "updated_at", "deleted_at");

    private ModelSchema() {}

    static Shapes.Schema read(Connection connection, List<Class<?>> models) throws SQLException {
        List<Shapes.Table> tables = describe(models);
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            for (Shapes.Table table : tables) {
                statement.execute(
                        Ddl.createTable("pg_temp.", table).replaceFirst("^CREATE TABLE", "CREATE TEMP TABLE"));
                for (Shapes.Index index : table.indexes().values()) {
                    statement.execute(Ddl.createIndex("pg_temp.", table.name(), index));
                }
            }
            for (Shapes.Table table : tables) {
                for (Shapes.ForeignKey key : table.foreignKeys().values()) {
                    statement.execute(Ddl.addForeignKey("pg_temp.", table.name(), key));
                }
            }
            Shapes.Schema probed = CatalogReader.readTemporary(connection);
            Map<String, Shapes.Table> meant = new LinkedHashMap<>();
            probed.tables()
                    .values()
                    .forEach(t -> meant.put(
                            t.name(),
                            new Shapes.Table(
                                    t.name(), t.columns(), t.primaryKey(), t.indexes(), t.foreignKeys(), true, false)));
            return new Shapes.Schema(meant);
        } catch (SQLException e) {
            throw new SQLException("the models do not describe a valid schema: " + e.getMessage(), e);
        } finally {
            connection.rollback();
            connection.setAutoCommit(autoCommit);
        }
    }

    /** The models' tables as Hibernate maps them, before PostgreSQL has spelled them out. */
    static List<Shapes.Table> describe(List<Class<?>> models) {
        StandardServiceRegistry registry = new StandardServiceRegistryBuilder()
                .applySetting(AvailableSettings.JAKARTA_HBM2DDL_DB_NAME, "PostgreSQL")
                .applySetting(AvailableSettings.JAKARTA_HBM2DDL_DB_MAJOR_VERSION, 15)
                .applySetting(AvailableSettings.ALLOW_METADATA_ON_BOOT, false)
                .build();
        try {
            MetadataSources sources = new MetadataSources(registry);
            models.forEach(sources::addAnnotatedClass);
            Metadata metadata = sources.buildMetadata();
            List<Shapes.Table> tables = new ArrayList<>();
            for (PersistentClass entity : metadata.getEntityBindings()) {
                tables.add(table(metadata, entity));
            }
            tables.sort(Comparator.comparing(Shapes.Table::name));
            return tables;
        } finally {
            StandardServiceRegistryBuilder.destroy(registry);
        }
    }

    private static Shapes.Table table(Metadata metadata, PersistentClass entity) {
        org.hibernate.mapping.Table mapped = entity.getTable();
        String name = mapped.getName();
        List<Shapes.Column> columns = new ArrayList<>();
        for (org.hibernate.mapping.Column column : mapped.getColumns()) {
            columns.add(new Shapes.Column(
                    column.getName(), column.getSqlType(metadata), !column.isNullable(), column.getDefaultValue()));
        }
        // id first, the timestamps last, the rest as Hibernate lists them: how revisions are written by hand
        columns.sort(Comparator.comparingInt((Shapes.Column c) -> c.name().equals("id")
                ? 0
                : TRAILING_COLUMNS.contains(c.name()) ? 2 + TRAILING_COLUMNS.indexOf(c.name()) : 1));
        List<String> keyColumns = mapped.getPrimaryKey().getColumns().stream()
                .map(org.hibernate.mapping.Column::getName)
                .toList();
        Map<String, Shapes.Index> indexes = new LinkedHashMap<>();
        mapped.getIndexes()
                .values()
                .forEach(index -> indexes.put(
                        index.getName(),
                        new Shapes.Index(
                                index.getName(),
                                index.isUnique(),
                                keys(index.getColumns(), index.getColumnOrderMap()),
                                predicate(index.getOptions()))));
        // Hibernate keeps @Index(unique = true) as a unique key; in the schema it is a unique index all the same.
        mapped.getUniqueKeys()
                .values()
                .forEach(key -> indexes.put(
                        key.getName(),
                        new Shapes.Index(
                                key.getName(),
                                true,
                                keys(key.getColumns(), key.getColumnOrderMap()),
                                predicate(key.getOptions()))));
        Map<String, Shapes.ForeignKey> foreignKeys = foreignKeys(name, entity.getMappedClass());
        coverForeignKeys(name, foreignKeys, indexes);
        return new Shapes.Table(
                name, columns, new Shapes.Key("pk_" + name, keyColumns), indexes, foreignKeys, true, false);
    }

    /**
     * Gives every foreign key an index on its columns unless a declared one starts with them (a
     * partial one counts, as Supabase's advisor counts it): without one, deleting or re-keying a
     * referenced row scans the referencing table, and the advisor warns (unindexed_foreign_keys).
     */
    static void coverForeignKeys(
            String table, Map<String, Shapes.ForeignKey> foreignKeys, Map<String, Shapes.Index> indexes) {
        for (Shapes.ForeignKey key : foreignKeys.values()) {
            boolean covered = indexes.values().stream()
                    .anyMatch(index -> index.keys().size() >= key.columns().size()
                            && java.util.Set.copyOf(index
                                            .keys()
                                            .subList(0, key.columns().size())
                                            .stream()
                                            .map(k -> k.replaceFirst(" DESC$", ""))
                                            .toList())
                                    .equals(java.util.Set.copyOf(key.columns())));
            if (!covered) {
                String name = "ix_" + table + "_" + String.join("_", key.columns());
                indexes.put(name, new Shapes.Index(name, false, key.columns(), null));
            }
        }
    }

    private static Map<String, Shapes.ForeignKey> foreignKeys(String table, Class<?> model) {
        Map<String, Shapes.ForeignKey> keys = new LinkedHashMap<>();
        for (Class<?> type = model; type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                References reference = field.getAnnotation(References.class);
                jakarta.persistence.Column column = field.getAnnotation(jakarta.persistence.Column.class);
                if (reference == null) {
                    continue;
                }
                if (column == null || column.name().isEmpty()) {
                    throw new IllegalStateException(model.getSimpleName() + "." + field.getName()
                            + " has @References but no @Column(name = ...)");
                }
                String name = "fk_" + table + "_" + column.name();
                keys.put(
                        name,
                        new Shapes.ForeignKey(name, List.of(column.name()), tableOf(reference.value()), List.of("id")));
            }
        }
        return keys;
    }

    private static String tableOf(Class<? extends BaseEntity> model) {
        Table table = model.getAnnotation(Table.class);
        if (table == null || table.name().isEmpty()) {
            throw new IllegalStateException(model.getSimpleName() + " has no @Table(name = ...)");
        }
        return table.name();
    }

    private static List<String> keys(
            List<org.hibernate.mapping.Column> columns, Map<org.hibernate.mapping.Column, String> order) {
        return columns.stream()
                .map(column -> {
                    String direction = order.get(column);
                    return direction != null && direction.strip().equalsIgnoreCase("desc")
                            ? column.getName() + " DESC"
                            : column.getName();
                })
                .toList();
    }

    /** {@code @Index(options = "WHERE deleted_at IS NULL")} → {@code deleted_at IS NULL}. */
    private static String predicate(String options) {
        if (options == null || options.isBlank()) {
            return null;
        }
        String trimmed = options.strip();
        if (!trimmed.regionMatches(true, 0, "WHERE ", 0, 6)) {
            throw new IllegalStateException("index options must be a WHERE clause (a partial index): " + options);
        }
        return trimmed.substring(6).strip();
    }
}
