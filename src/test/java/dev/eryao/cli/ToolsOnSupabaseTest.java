package dev.eryao.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.eryao.support.Cli;
import dev.eryao.support.ScratchDatabase;
import dev.eryao.support.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * On Supabase's layout nobody is a superuser, so revision 20261125_0002 cannot take the functions
 * that outlive a rollback (WAL messages, session advisory locks) from the reader, nor bound its
 * temp files: the data tools then refuse to run, before any query is sent, and say what an
 * administrator must do. (Elsewhere the data tools' own tests run; on this layout they are left out.)
 */
class ToolsOnSupabaseTest {
    @Test
    void theDataToolsRefuseToRunWithAReaderTheDatabaseCannotBound() {
        assumeTrue(TestDatabase.get().supabaseLayout(), "runs on the Supabase layout only");

        Cli.Result sql = Cli.eryao(ScratchDatabase.get().variables(), "sql", "SELECT 1");

        assertThat(sql.status()).isEqualTo(Main.FAILED);
        assertThat(sql.err())
                .contains("refusing to run as eryao_reader", "pg_logical_emit_message", "a superuser must");
        assertThat(sql.out()).isEmpty();
    }
}
