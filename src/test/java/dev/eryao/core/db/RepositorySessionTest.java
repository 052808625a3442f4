package dev.eryao.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.eryao.models.AgentChatSession;
import dev.eryao.repositories.SessionRepository;
import dev.eryao.support.TestDatabase;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.SharedSessionContract;
import org.hibernate.Transaction;
import org.hibernate.jdbc.ReturningWork;
import org.hibernate.jdbc.Work;
import org.hibernate.query.CommonQueryContract;
import org.hibernate.query.NativeQuery;
import org.hibernate.query.SelectionQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a repository can reach offers no way to control the transaction: no method leads to the
 * real session, its factory, its transaction or its connection, and native SQL that would commit,
 * roll back or begin is refused — after which the service alone still decides what is kept.
 */
class RepositorySessionTest {
    /** Types that control a transaction or lead to what does. */
    private static final List<Class<?>> FORBIDDEN = List.of(
            SharedSessionContract.class,
            SessionFactory.class,
            EntityManager.class,
            EntityManagerFactory.class,
            EntityTransaction.class,
            Transaction.class,
            Connection.class,
            DataSource.class,
            CommonQueryContract.class,
            jakarta.persistence.Query.class,
            Work.class,
            ReturningWork.class);

    private static final Set<String> FORBIDDEN_NAMES = Set.of(
            "unwrap",
            "getSession",
            "getSessionFactory",
            "getFactory",
            "getEntityManagerFactory",
            "getDelegate",
            "getTransaction",
            "beginTransaction",
            "commit",
            "rollback",
            "setRollbackOnly",
            "markRollbackOnly",
            "doWork",
            "doReturningWork",
            "close",
            "disconnect",
            "reconnect",
            "getConnection",
            "connection");

    private final TestDatabase db = TestDatabase.get();
    private final Transactions tx = db.app().transactions();
    private final SessionRepository sessions = new SessionRepository(tx);
    private final Probe probe = new Probe(tx);
    private final UUID owner = UUID.randomUUID();

    /** A repository that tries to run whatever SQL it is given. */
    static final class Probe extends BaseRepository<AgentChatSession> {
        Probe(CurrentSession sessions) {
            super(sessions, AgentChatSession.class);
        }

        int execute(String sql) {
            return session().createNativeQuery(sql, Object.class).executeUpdate();
        }

        Object single(String sql) {
            return session().createNativeQuery(sql, Object.class).getSingleResult();
        }
    }

    @Test
    void nothingARepositoryCanReachLeadsToTheSessionItsFactoryItsTransactionOrItsConnection() {
        List<String> found = violations(List.of(CurrentSession.class, RepositorySession.class, BaseRepository.class));

        assertThat(found).isEmpty();
    }

    @Test
    void theCheckFindsTheEscapesOfHibernatesOwnTypes() {
        assertThat(violations(List.of(Session.class)))
                .as("Session")
                .anyMatch(v -> v.contains("getTransaction"))
                .anyMatch(v -> v.contains("getSessionFactory"));
        assertThat(violations(List.of(NativeQuery.class))).as("NativeQuery").anyMatch(v -> v.contains("unwrap"));
        assertThat(violations(List.of(SelectionQuery.class)))
                .as("SelectionQuery is a query contract")
                .isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "COMMIT",
                "commit;",
                "/* hidden */ COMMIT",
                "END",
                "ROLLBACK",
                "ABORT",
                "BEGIN",
                "START TRANSACTION",
                "SAVEPOINT x",
                "RELEASE SAVEPOINT x",
                "SET TRANSACTION READ ONLY",
                "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
                "PREPARE TRANSACTION 'escape'",
                "SELECT 1; COMMIT",
                "SELECT 1; ROLLBACK"
            })
    void transactionControlAsNativeSqlIsRefusedAndTheServiceStillRollsBack(String sql) throws Exception {
        List<Throwable> attempt = new ArrayList<>();
        assertThatThrownBy(() -> tx.inTransaction(() -> {
                    sessions.add(new AgentChatSession(owner, "written before the attempt", null));
                    attempt.add(catchThrowable(() -> probe.execute(sql)));
                    throw new IllegalStateException("the service rolls back");
                }))
                .hasMessage("the service rolls back");

        assertThat(attempt.getFirst())
                .as("refused before it reaches the database")
                .isInstanceOf(RuntimeException.class)
                .hasMessageContaining("repositor");
        assertThat(storedSessionsOf(owner))
                .as("the row written before the attempt was rolled back")
                .isZero();
    }

    /** The guard lets a DO block through; PostgreSQL refuses to end a transaction block from one. */
    @Test
    void aCommitInsideAFunctionBodyIsRefusedByPostgres() throws Exception {
        List<Throwable> attempt = new ArrayList<>();
        assertThatThrownBy(() -> tx.inTransaction(() -> {
                    sessions.add(new AgentChatSession(owner, "written before the attempt", null));
                    attempt.add(catchThrowable(() -> probe.execute("DO $$BEGIN COMMIT; END$$")));
                    throw new IllegalStateException("the service rolls back");
                }))
                .hasMessage("the service rolls back");

        assertThat(attempt.getFirst()).hasStackTraceContaining("invalid transaction termination");
        assertThat(storedSessionsOf(owner)).isZero();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ROLLBACK",
                "ABORT",
                "ROLLBACK AND CHAIN",
                "SELECT 1; ROLLBACK",
                "BEGIN",
                "SAVEPOINT x",
                "-- hidden\nROLLBACK"
            })
    void aRefusedRollbackLeavesTheServiceToCommit(String sql) throws Exception {
        Throwable attempt = tx.fromTransaction(() -> {
            sessions.add(new AgentChatSession(owner, "written before the attempt", null));
            return catchThrowable(() -> probe.execute(sql));
        });

        assertThat(attempt).isInstanceOf(RuntimeException.class).hasMessageContaining("repositor");
        assertThat(storedSessionsOf(owner)).as("committed by the service, once").isEqualTo(1);
    }

    @Test
    void oneStatementWithSemicolonsInsideQuotesAndCommentsRunsOnPostgres() {
        Object value = tx.fromTransaction(() -> probe.single("""
                SELECT 'a;COMMIT' || $x$;ROLLBACK$x$ || E'\\';' /* ; COMMIT */ -- ; COMMIT
                ;"""));

        assertThat(value).isEqualTo("a;COMMIT;ROLLBACK';");
    }

    @Test
    void aReadOnlyUnitRefusesPersistRemoveFlushAndNativeSqlButSelects() throws Exception {
        AgentChatSession stored = tx.fromTransaction(() -> sessions.add(new AgentChatSession(owner, "kept", null)));

        tx.read(() -> {
            RepositorySession session = tx.session();
            AgentChatSession found =
                    session.find(AgentChatSession.class, stored.getId(), new jakarta.persistence.FindOption[0]);
            assertThat(found).isNotNull();
            assertThat(session.createSelectionQuery(
                                    "select count(*) from AgentChatSession s where s.ownerId = :owner", Long.class)
                            .setParameter("owner", owner)
                            .getSingleResult())
                    .isEqualTo(1);
            assertThatThrownBy(() -> session.remove(found)).hasMessageContaining("only reads");
            assertThatThrownBy(session::flush).hasMessageContaining("only reads");
            assertThatThrownBy(() -> session.persist(new AgentChatSession(owner, "new", null)))
                    .hasMessageContaining("only reads");
            assertThatThrownBy(() -> session.createNativeQuery("SELECT 1", Object.class))
                    .hasMessageContaining("only reads");
            return null;
        });

        assertThat(storedSessionsOf(owner)).isEqualTo(1);
    }

    /**
     * Every public or protected method of {@code roots} and of the {@code dev.eryao.core.db} types
     * they lead to (by return, parameter or type argument) that is named like a way out, or whose
     * signature names a forbidden type; and every such type of ours that extends or implements
     * someone else's type.
     */
    private static List<String> violations(List<Class<?>> roots) {
        List<String> found = new ArrayList<>();
        Set<Class<?>> seen = new HashSet<>(roots);
        Deque<Class<?>> toWalk = new ArrayDeque<>(roots);
        while (!toWalk.isEmpty()) {
            Class<?> type = toWalk.pop();
            for (Class<?> parent : parents(type)) {
                if (!parent.getName().startsWith("dev.eryao.")
                        && !parent.getName().startsWith("java.")) {
                    found.add(type.getName() + " extends " + parent.getName());
                }
            }
            for (Method method : methods(type)) {
                String where = type.getSimpleName() + "." + method.getName();
                if (FORBIDDEN_NAMES.contains(method.getName())) {
                    found.add(where + " is named like a way out");
                }
                Set<Class<?>> mentioned = new HashSet<>();
                Set<Type> visited = new HashSet<>();
                collect(method.getGenericReturnType(), mentioned, visited);
                for (Type parameter : method.getGenericParameterTypes()) {
                    collect(parameter, mentioned, visited);
                }
                for (Class<?> each : mentioned) {
                    FORBIDDEN.stream()
                            .filter(forbidden -> forbidden.isAssignableFrom(each))
                            .forEach(forbidden -> found.add(where + " mentions " + each.getName()));
                    if (each.getPackageName().equals(RepositorySession.class.getPackageName()) && seen.add(each)) {
                        toWalk.push(each);
                    }
                }
            }
        }
        return found;
    }

    private static List<Class<?>> parents(Class<?> type) {
        List<Class<?>> parents = new ArrayList<>(List.of(type.getInterfaces()));
        if (type.getSuperclass() != null) {
            parents.add(type.getSuperclass());
        }
        return parents;
    }

    /** Public and protected methods, inherited ones included, but not Object's. */
    private static List<Method> methods(Class<?> type) {
        List<Method> methods = new ArrayList<>(List.of(type.getMethods()));
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method method : c.getDeclaredMethods()) {
                if (Modifier.isProtected(method.getModifiers())) {
                    methods.add(method);
                }
            }
        }
        methods.removeIf(method -> method.getDeclaringClass() == Object.class);
        return methods;
    }

    private static void collect(Type type, Set<Class<?>> into, Set<Type> visited) {
        if (!visited.add(type)) {
            return;
        }
        switch (type) {
            case Class<?> c when c.isArray() -> collect(c.getComponentType(), into, visited);
            case Class<?> c -> into.add(c);
            case ParameterizedType p -> {
                collect(p.getRawType(), into, visited);
                for (Type argument : p.getActualTypeArguments()) {
                    collect(argument, into, visited);
                }
            }
            case WildcardType w -> {
                for (Type bound : w.getUpperBounds()) {
                    collect(bound, into, visited);
                }
                for (Type bound : w.getLowerBounds()) {
                    collect(bound, into, visited);
                }
            }
            case GenericArrayType a -> collect(a.getGenericComponentType(), into, visited);
            case TypeVariable<?> v -> {
                for (Type bound : v.getBounds()) {
                    collect(bound, into, visited);
                }
            }
            default -> throw new IllegalStateException("unexpected type " + type);
        }
    }

    private long storedSessionsOf(UUID ownerId) throws Exception {
        try (Connection connection = db.connection();
                PreparedStatement query =
                        connection.prepareStatement("SELECT count(*) FROM agent_chat_session WHERE owner_id = ?")) {
            query.setObject(1, ownerId);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
