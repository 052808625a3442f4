package dev.eryao.cli;

import dev.eryao.core.config.ToolsSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Flags shared by {@code sql} and {@code mcp}; each overrides its {@code ERYAO_TOOLS__*} variable. */
final class ToolsOptions {
    @Option(
            names = "--max-rows",
            paramLabel = "N",
            description = "Most rows one query returns (default ERYAO_TOOLS__MAX_ROWS or 100).")
    private Integer maxRows;

    @Option(
            names = "--max-bytes",
            paramLabel = "N",
            description = "Most bytes of values one query returns (default ERYAO_TOOLS__MAX_BYTES or 1048576).")
    private Integer maxBytes;

    @Option(
            names = "--timeout-ms",
            paramLabel = "MS",
            description = "Longest one query may run (default ERYAO_TOOLS__STATEMENT_TIMEOUT_MS or 10000).")
    private Integer timeoutMs;

    /** The settings with these flags applied, each checked like its variable. */
    ToolsSettings apply(ToolsSettings settings) {
        ToolsSettings applied = settings;
        if (maxRows != null) {
            applied = applied.withMaxRows(maxRows);
        }
        if (maxBytes != null) {
            applied = applied.withMaxBytes(maxBytes);
        }
        if (timeoutMs != null) {
            applied = applied.withStatementTimeout(Duration.ofMillis(timeoutMs));
        }
        return applied;
    }
}
