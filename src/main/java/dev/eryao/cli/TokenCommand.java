package dev.eryao.cli;

import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.auth.TokenIssuer;
import dev.eryao.core.config.AuthSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.core.config.Settings;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code eryao token --sub <uuid>}: prints an HS256 token for trying the API with curl, signed
 * with {@code ERYAO_AUTH__JWT_SECRET} when it is set, else with the local secret {@code serve}
 * uses. Only the token goes to stdout, so {@code TOKEN=$(bin/eryao token --sub ...)} works.
 */
@Command(name = "token", description = "Print a signed test token for the local API (HS256).")
final class TokenCommand implements Callable<Integer> {
    private static final Set<String> ROLES = Set.of(CurrentUser.AUTHENTICATED, CurrentUser.SERVICE_ROLE);

    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Option(names = "--sub", required = true, paramLabel = "<uuid>", description = "the user id (the token's sub)")
    private UUID subject;

    @Option(
            names = "--role",
            defaultValue = CurrentUser.AUTHENTICATED,
            paramLabel = "<role>",
            description = "authenticated (default) or service_role")
    private String role;

    @Option(
            names = "--ttl-minutes",
            defaultValue = "60",
            paramLabel = "<minutes>",
            description = "lifetime (default 60)")
    private int ttlMinutes;

    @Override
    public Integer call() {
        if (!ROLES.contains(role)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--role must be authenticated or service_role, not '" + role + "'");
        }
        if (ttlMinutes < 1 || ttlMinutes > 24 * 60) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ttl-minutes must be from 1 to 1440");
        }
        Settings settings = main.settings();
        TokenIssuer issuer = new TokenIssuer(secret(settings), settings.auth().issuer());
        spec.commandLine().getOut().println(issuer.sign(subject, role, Duration.ofMinutes(ttlMinutes), Instant.now()));
        return Main.OK;
    }

    private static Secret secret(Settings settings) {
        AuthSettings auth = settings.auth();
        if (!auth.jwtSecret().isEmpty()) {
            return auth.jwtSecret();
        }
        if (auth.jwksUrl() != null) {
            throw new UserError("with only ERYAO_AUTH__JWKS_URL set, tokens come from Supabase Auth: "
                    + "this command signs with an HS256 secret (ERYAO_AUTH__JWT_SECRET, or the local one)");
        }
        return LocalSecretFile.loadOrCreate(settings.dataDir()).secret();
    }
}
