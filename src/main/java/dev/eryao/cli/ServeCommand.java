package dev.eryao.cli;

import dev.eryao.App;
import dev.eryao.api.ApiServer;
import dev.eryao.core.auth.LocalJwtSecret;
import dev.eryao.core.config.AuthSettings;
import dev.eryao.core.config.Settings;
import dev.eryao.core.config.SettingsException;
import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import dev.eryao.migrations.SeedData;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code eryao serve}: the HTTP API on {@code ERYAO_SERVER__HOST:PORT}, and a worker for the runs it
 * accepts (unless {@code ERYAO_WORKER__CONCURRENCY=0}), until the process is
 * stopped (Ctrl-C, SIGTERM), then a clean shutdown. With no database configured it starts the
 * embedded PostgreSQL and brings it to head; with no auth settings there it verifies tokens with a
 * local HS256 secret that {@code eryao token} signs with.
 */
@Command(
        name = "serve",
        description = "Run the HTTP API (embedded PostgreSQL and a local token secret when nothing is configured).")
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        StopOnSignal stop = StopOnSignal.register("eryao-shutdown");
        stop.closes(start(main.settings(), spec.commandLine().getOut()));
        stop.awaitStop();
        return Main.OK;
    }

    /** Starts everything {@code serve} runs; closing the result stops it in reverse order. */
    static App start(Settings settings, PrintWriter out) {
        long started = System.nanoTime();
        AuthSettings auth = settings.auth();
        if (auth.unconfigured() && !settings.database().embedded()) {
            throw new SettingsException(
                    "set ERYAO_AUTH__JWKS_URL (https://<project>.supabase.co/auth/v1/.well-known/"
                            + "jwks.json) or ERYAO_AUTH__JWT_SECRET: with a configured database the API makes no secret of its own");
        }
        if (auth.unconfigured()) {
            LocalJwtSecret local = LocalSecretFile.loadOrCreate(settings.dataDir());
            settings = settings.withAuth(auth.withLocalSecret(local.secret()));
            out.println("auth: no ERYAO_AUTH__* set, so tokens are checked with the local HS256 secret in "
                    + local.file() + (local.created() ? " (created now)" : "")
                    + "; get one with: bin/eryao token --sub <uuid> [--role service_role]");
        } else {
            out.println("auth: " + describe(auth));
        }
        App app = App.open(settings);
        try {
            out.println("database: " + app.database().settings().describe());
            if (settings.database().embedded()) {
                prepareEmbeddedDatabase(app.database(), out);
            }
            ApiServer api = app.api();
            startListening(api, settings);
            app.worker().start();
            long millis = (System.nanoTime() - started) / 1_000_000;
            out.println("listening on http://" + settings.server().host() + ":" + api.port()
                    + " (docs: /docs, started in " + millis + " ms); stop with Ctrl-C");
            out.println(
                    settings.worker().concurrency() == 0
                            ? "worker: off (ERYAO_WORKER__CONCURRENCY=0): runs wait for `eryao worker` elsewhere"
                            : "worker: " + settings.worker().concurrency() + " run(s) at once");
            if (settings.worker().concurrency() > 0) {
                MissingProviderKeys.warnings(app.catalog(), settings.llm()).forEach(out::println);
            }
            return app;
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
    }

    /**
     * {@code bootstrap} for the embedded database: brings it to head and applies the seed data, so
     * a new user has a working catalog from one command. A configured database is left alone:
     * migrating shared databases is a deliberate step ({@code eryao migrate}), not a side effect.
     */
    private static void prepareEmbeddedDatabase(Database database, PrintWriter out) {
        Migrations migrations = new Migrations(database, out::println);
        int applied = migrations.migrate().migrationsExecuted;
        int seeds = new SeedData(database, out::println).apply();
        out.println("schema: at head " + migrations.current() + " (" + applied + " revision(s) and " + seeds
                + " seed(s) applied)");
    }

    private static void startListening(ApiServer api, Settings settings) {
        try {
            api.start();
        } catch (RuntimeException e) {
            api.close();
            throw new UserError(
                    "cannot listen on " + settings.server().host() + ":"
                            + settings.server().port() + ": " + e.getMessage()
                            + " (set ERYAO_SERVER__HOST / ERYAO_SERVER__PORT)",
                    e);
        }
    }

    private static String describe(AuthSettings auth) {
        StringBuilder text = new StringBuilder();
        auth.jwks().ifPresent(url -> text.append("ES256/RS256 keys from ").append(url));
        if (!auth.jwtSecret().isEmpty()) {
            text.append(text.isEmpty() ? "" : " and ").append("the HS256 secret ERYAO_AUTH__JWT_SECRET");
        }
        auth.requiredIssuer().ifPresent(issuer -> text.append("; iss must be ").append(issuer));
        return text.toString();
    }
}
