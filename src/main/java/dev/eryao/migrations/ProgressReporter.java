package dev.eryao.migrations;

import java.util.function.Consumer;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/** Reports {@code applying 20260411_0001 initial_llm_schema ... 38 ms} as Flyway applies each revision. */
final class ProgressReporter implements Callback {
    private final Consumer<String> progress;
    private long started;

    ProgressReporter(Consumer<String> progress) {
        this.progress = progress;
    }

    @Override
    public boolean supports(Event event, Context context) {
        return event == Event.BEFORE_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    @Override
    public void handle(Event event, Context context) {
        if (event == Event.BEFORE_EACH_MIGRATE) {
            started = System.nanoTime();
            return;
        }
        MigrationInfo info = context.getMigrationInfo();
        progress.accept(
                "applying " + Revision.idOfFlywayVersion(info.getVersion().getVersion()) + " "
                        + info.getDescription().replace(' ', '_') + " ... " + Migrations.millisSince(started) + " ms");
    }

    @Override
    public String getCallbackName() {
        return "eryao-progress";
    }
}
