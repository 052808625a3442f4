package dev.eryao.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class CausesTest {
    /** An exception whose cause can be set to anything, itself and loops included (Throwable refuses itself). */
    private static final class Looping extends RuntimeException {
        private Throwable cause;

        Looping(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable getCause() {
            return cause;
        }
    }

    @Test
    void theChainIsOutermostFirstAndEndsWhereItWouldLoop() {
        Looping outer = new Looping("outer");
        Looping inner = new Looping("inner");
        outer.cause = inner;
        inner.cause = outer;
        Looping self = new Looping("self");
        self.cause = self;

        assertThat(Causes.chain(outer)).containsExactly(outer, inner);
        assertThat(Causes.root(outer)).isSameAs(inner);
        assertThat(Causes.chain(self)).containsExactly(self);
        assertThat(Causes.root(new IllegalStateException("alone"))).hasMessage("alone");
    }

    @Test
    void findGivesTheOutermostOfATypeAnywhereInTheChain() {
        TimeoutException timeout = new TimeoutException("slow");
        RuntimeException wrapped = new IllegalStateException("a", new RuntimeException("b", timeout));

        assertThat(Causes.find(wrapped, TimeoutException.class)).containsSame(timeout);
        assertThat(Causes.find(wrapped, RuntimeException.class)).containsSame(wrapped);
        assertThat(Causes.find(wrapped, UncheckedIOException.class)).isEmpty();
    }

    @Test
    void theSqlStateIsTheOutermostOneGivenAndAnyMayBeAskedFor() {
        SQLException driver = new SQLException("out of range", "22003");
        SQLException stateless = new SQLException("wrapper without a state", (String) null, driver);
        RuntimeException wrapped = new RuntimeException(new SQLException("retry", "40001", stateless));

        assertThat(Causes.sqlState(wrapped)).isEqualTo("40001");
        assertThat(Causes.sqlState(new RuntimeException(stateless))).isEqualTo("22003");
        assertThat(Causes.sqlState(new RuntimeException("no database here"))).isNull();
        assertThat(Causes.hasSqlState(wrapped, "22003")).isTrue();
        assertThat(Causes.hasSqlState(wrapped, "23505")).isFalse();
    }
}
