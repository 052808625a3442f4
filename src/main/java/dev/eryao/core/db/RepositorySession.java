package dev.eryao.core.db;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;
import org.hibernate.Session;

/**
 * Wraps a {@link Session} so that whoever holds it cannot control the transaction: the seed's rule
 * "repositories do not manage transactions", enforced rather than remembered. Everything else
 * passes through to the real session.
 */
final class RepositorySession implements InvocationHandler {
    private static final Set<String> TRANSACTION_CONTROL = Set.of(
            "getTransaction", "beginTransaction", "close", "disconnect", "reconnect",
            "doWork", "doReturningWork", "inTransaction", "fromTransaction");

    private final Session target;

    private RepositorySession(Session target) {
        this.target = target;
    }

    static Session wrap(Session target) {
        return (Session) Proxy.newProxyInstance(
                Session.class.getClassLoader(), new Class<?>[] {Session.class}, new RepositorySession(target));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (TRANSACTION_CONTROL.contains(method.getName())) {
            throw new IllegalStateException("repositories do not manage transactions: "
                    + method.getName() + "() is for the service that opened the unit of work");
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
