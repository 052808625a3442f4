package dev.eryao.core.db;

import dev.eryao.core.config.PoolMode;
import java.util.List;
import javax.sql.DataSource;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * Builds Hibernate's {@link SessionFactory} over the pool of a {@link Database}. Hibernate never
 * touches the schema here ({@code hbm2ddl} is off): migrations are the only way to change it.
 */
public final class Persistence {
    private Persistence() {}

    /**
     * @param entities  the mapped model classes
     * @param inspector sees every SQL statement before it runs (tests count and read them), or null
     */
    public static SessionFactory sessionFactory(
            Database database, List<Class<?>> entities, StatementInspector inspector) {
        return sessionFactory(database, database.dataSource(), entities, inspector);
    }

    /**
     * As {@link #sessionFactory(Database, List, StatementInspector)}, taking connections from
     * {@code connections}: the database's pool, or that pool wrapped (its statements traced).
     */
    public static SessionFactory sessionFactory(
            Database database, DataSource connections, List<Class<?>> entities, StatementInspector inspector) {
        StandardServiceRegistryBuilder registry = new StandardServiceRegistryBuilder()
                .applySetting(AvailableSettings.JAKARTA_NON_JTA_DATASOURCE, connections)
                .applySetting(AvailableSettings.CONNECTION_PROVIDER_DISABLES_AUTOCOMMIT, true)
                // The database is named, so start-up needs no connection to pick the dialect.
                .applySetting(AvailableSettings.JAKARTA_HBM2DDL_DB_NAME, "PostgreSQL")
                .applySetting(AvailableSettings.JAKARTA_HBM2DDL_DB_MAJOR_VERSION, 15)
                .applySetting(AvailableSettings.ALLOW_METADATA_ON_BOOT, false)
                .applySetting(AvailableSettings.HBM2DDL_AUTO, "none")
                .applySetting(AvailableSettings.JDBC_TIME_ZONE, "UTC")
                // Instants read and written as OffsetDateTime: the default (a java.sql.Timestamp
                // through a UTC Calendar) made Hibernate build a Calendar for every value read, where
                // pgjdbc's OffsetDateTime path builds one per result. The column is the same timestamptz.
                .applySetting(AvailableSettings.PREFERRED_INSTANT_JDBC_TYPE, "TIMESTAMP_WITH_TIMEZONE")
                .applySetting(AvailableSettings.STATEMENT_BATCH_SIZE, 50)
                .applySetting(AvailableSettings.ORDER_INSERTS, true)
                .applySetting(AvailableSettings.ORDER_UPDATES, true)
                .applySetting(AvailableSettings.FAIL_ON_PAGINATION_OVER_COLLECTION_FETCH, true)
                // BaseRepository builds its queries as criteria (Restriction, SelectionSpecification);
                // without this Hibernate translates each one to SQL afresh on every call, though the
                // shapes are few. Values are bound as parameters, so one plan per shape.
                .applySetting(AvailableSettings.CRITERIA_PLAN_CACHE_ENABLED, true);
        if (database.settings().poolMode() == PoolMode.TRANSACTION
                && database.settings().statementTimeout().isPositive()) {
            // No session options through a transaction pooler: bound each query from the client side (in ms).
            registry.applySetting(
                    "jakarta.persistence.query.timeout",
                    Math.toIntExact(database.settings().statementTimeout().toMillis()));
        }
        if (inspector != null) {
            registry.applySetting(AvailableSettings.STATEMENT_INSPECTOR, inspector);
        }
        StandardServiceRegistry services = registry.build();
        try {
            MetadataSources sources = new MetadataSources(services);
            entities.forEach(sources::addAnnotatedClass);
            return sources.buildMetadata().buildSessionFactory();
        } catch (RuntimeException e) {
            StandardServiceRegistryBuilder.destroy(services);
            throw e;
        }
    }
}
