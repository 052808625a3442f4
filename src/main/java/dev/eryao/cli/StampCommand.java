package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code eryao stamp REV}: record REV as the applied head without running anything. */
@Command(
        name = "stamp",
        description =
                "Record REV as the applied head without running any SQL, for a database"
                        + " that already has that schema (e.g. one brought up by the Python stack). base forgets every revision.")
final class StampCommand extends DatabaseCommand {
    @Parameters(paramLabel = "REV", description = "A revision id, or base.")
    private String target;

    @Override
    int run(Database database, PrintWriter out) {
        Migrations migrations = new Migrations(database, out::println);
        migrations.stamp(target);
        out.println("now at " + migrations.current());
        return Main.OK;
    }
}
