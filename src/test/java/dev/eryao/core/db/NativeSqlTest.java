package dev.eryao.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The guard's reading of SQL; {@link RepositorySessionTest} runs such statements on PostgreSQL. */
class NativeSqlTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "COMMIT",
                "commit;",
                "  Commit Work ; ",
                "COMMIT AND CHAIN",
                "END",
                "end transaction",
                "ABORT",
                "ROLLBACK",
                "rollback to savepoint x",
                "BEGIN",
                "begin isolation level serializable",
                "START TRANSACTION",
                "SAVEPOINT x",
                "RELEASE SAVEPOINT x",
                "PREPARE TRANSACTION 'x'",
                "COMMIT PREPARED 'x'",
                "ROLLBACK PREPARED 'x'",
                "SET TRANSACTION READ ONLY",
                "set transaction isolation level serializable",
                "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
                "/* a comment first */ COMMIT",
                "-- a comment first\nCOMMIT",
                "/* nested /* twice */ */COMMIT",
                "(COMMIT)"
            })
    void transactionControlIsRefused(String sql) {
        assertThatThrownBy(() -> NativeSql.check(sql))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("repositories do not manage transactions");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT 1; COMMIT",
                "SELECT 1;COMMIT;",
                "SELECT 1; SELECT 2",
                "SELECT ';'; COMMIT",
                "SELECT $$;$$; COMMIT",
                "SELECT 1 /* ; */; ROLLBACK",
                "SELECT 1 -- ;\n; COMMIT",
                "UPDATE t SET a = 1;;COMMIT",
                "SELECT E'\\'' ; COMMIT",
                "SELECT \"a;\" FROM t; COMMIT"
            })
    void moreThanOneStatementIsRefused(String sql) {
        assertThatThrownBy(() -> NativeSql.check(sql))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be one statement");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT 'abc",
                "SELECT $$abc",
                "SELECT $q$abc$$",
                "SELECT 1 /* open",
                "SELECT \"a",
                "SELECT E'\\'"
            })
    void anUnterminatedQuoteOrCommentIsRefused(String sql) {
        assertThatThrownBy(() -> NativeSql.check(sql))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unterminated");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ;  ", "-- only a comment", "/* only */ ;"})
    void anEmptyStatementIsRefused(String sql) {
        assertThatThrownBy(() -> NativeSql.check(sql)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT 1",
                "SELECT 1;",
                "SELECT 1;  -- done",
                "SELECT 1; /* done */ ",
                "SELECT ';COMMIT'",
                "SELECT 'it''s; COMMIT'",
                "SELECT E'\\';COMMIT'",
                "SELECT $$;COMMIT$$",
                "SELECT $tag$ $$;COMMIT$$ $tag$",
                "SELECT 1 -- ; COMMIT",
                "SELECT /* ; COMMIT /* ; */ ; */ 1",
                "SELECT \"commit;\" FROM t",
                "SELECT $1",
                "SELECT a$b FROM t",
                "(SELECT 1)",
                "WITH x AS (SELECT 1) SELECT * FROM x",
                "UPDATE agent_run SET status = 'queued' WHERE id = :id",
                "SET LOCAL statement_timeout = 1000",
                "SHOW statement_timeout",
                "SELECT commit_ts FROM t",
                "SELECT 1 AS begin",
                "DO $$BEGIN COMMIT; END$$"
            })
    void oneStatementThatDoesNotControlTheTransactionPasses(String sql) {
        assertThat(NativeSql.check(sql)).isSameAs(sql);
    }
}
