package dev.eryao.core.db;

import jakarta.persistence.criteria.CriteriaQuery;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;
import org.hibernate.Session;

/**
 * Wraps a {@link Session} so that whoever holds it cannot control the transaction: the seed's rule
 * "repositories do not manage transactions", enforced rather than remembered. In a read-only unit
 * of work ({@link Transactions#read}) it also refuses every way to write, since its statements
 * would each commit on their own. Everything else passes through to the real session.
 */
final class RepositorySession implements InvocationHandler {
    private static final Set<String> TRANSACTION_CONTROL = Set.of(
            "getTransaction", "beginTransaction", "close", "disconnect", "reconnect",
            "doWork", "doReturningWork", "inTransaction", "fromTransaction");
    /** Entity writes, flushes, and the query kinds that can write (native SQL, HQL mutations). */
    private static final Set<String> WRITES = Set.of(
            "persist", "merge", "remove", "flush", "lock", "createMutationQuery", "createNativeMutationQuery",
            "createNamedMutationQuery", "createNativeQuery", "createNamedQuery");

    /**
     * The proxy class's constructor, found once: {@code Proxy.newProxyInstance} looks the class up
     * again on every call, and every unit of work makes a proxy.
     */
    private static final Constructor<?> PROXY = proxyConstructor();

    private final Session target;
    private final boolean readOnly;

    private RepositorySession(Session target, boolean readOnly) {
        this.target = target;
        this.readOnly = readOnly;
    }

    static Session wrap(Session target) {
        return proxy(new RepositorySession(target, false));
    }

    /** The view of a read-only unit of work: no transaction control and no writes. */
    static Session readOnly(Session target) {
        return proxy(new RepositorySession(target, true));
    }

    /** True for a call that may write; a criteria SELECT is the one {@code createQuery} that cannot. */
    private static boolean writes(Method method, Object[] args) {
        if (method.getName().equals("createQuery")) {
            return args == null || args.length == 0 || !(args[0] instanceof CriteriaQuery<?>);
        }
        return WRITES.contains(method.getName());
    }

    private static Constructor<?> proxyConstructor() {
        InvocationHandler unused = (proxy, method, args) -> null;
        Object sample = Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class}, unused);
        try {
            return sample.getClass().getConstructor(InvocationHandler.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("the JDK's proxy class has no (InvocationHandler) constructor", e);
        }
    }

    private static Session proxy(RepositorySession handler) {
        try {
            return (Session) PROXY.newInstance(handler);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make a repository session", e);
        }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (TRANSACTION_CONTROL.contains(method.getName())) {
            throw new IllegalStateException("repositories do not manage transactions: "
                    + method.getName() + "() is for the service that opened the unit of work");
        }
        if (readOnly && writes(method, args)) {
            throw new IllegalStateException("this unit of work only reads (Transactions.read): "
                    + method.getName() + "() needs Transactions.fromTransaction");
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
