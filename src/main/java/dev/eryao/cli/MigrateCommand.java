package dev.eryao.cli;

import dev.eryao.core.config.Settings;
import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code eryao migrate}: applies every pending schema revision. */
@Command(name = "migrate", description = "Apply pending schema revisions (upgrade to head).")
final class MigrateCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Settings settings = Settings.load();
        try (Database database = Database.open(settings)) {
            System.out.println("database: " + database.settings().describe());
            Migrations migrations = new Migrations(database, System.out::println);
            int applied = migrations.migrate().migrationsExecuted;
            System.out.println(applied == 0
                    ? "already at head " + migrations.current()
                    : "at head " + migrations.current() + " (" + applied + " applied)");
            return Main.OK;
        }
    }
}
