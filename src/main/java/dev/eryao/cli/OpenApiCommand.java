package dev.eryao.cli;

import dev.eryao.api.ApiServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code eryao openapi}: prints the OpenAPI document {@code serve} answers on {@code /openapi.json},
 * made from the route declarations alone (no database, no settings), so a linter or a client
 * generator can read it without a running server ({@code bin/lint-openapi}).
 */
@Command(
        name = "openapi",
        description = "Print the OpenAPI document that `serve` serves at /openapi.json (needs no database).")
final class OpenApiCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(ApiServer.openApiDocument());
        spec.commandLine().getOut().flush();
        return Main.OK;
    }
}
