package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.SeedData;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code eryao init-data}: seed data only (the LLM catalog); running it again changes nothing. */
@Command(name = "init-data", description = "Apply seed data (the LLM catalog); unchanged seeds are skipped.")
final class InitDataCommand extends DatabaseCommand {
    @Override
    int run(Database database, PrintWriter out) {
        out.println("database: " + database.settings().describe());
        int applied = new SeedData(database, out::println).apply();
        out.println(applied + " seed(s) applied");
        return Main.OK;
    }
}
