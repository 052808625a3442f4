package dev.eryao.core.config;

import java.nio.file.Path;

/**
 * Every setting of the application, read once at start-up from {@code ERYAO_*} variables and
 * validated then: a bad value stops start-up with a {@link SettingsException} naming the variable.
 * Each group's record checks its own values in its constructor, whoever builds it; this one checks
 * the rules between groups (the worker's lease outlasts the LLM timeout). Nested groups use
 * {@code __} as pydantic settings do ({@code ERYAO_DATABASE__HOST}).
 *
 * @param dataDir  {@code ERYAO_DATA_DIR}: where the embedded database and local secrets live
 * @param database {@code ERYAO_DATABASE__*}
 * @param server   {@code ERYAO_SERVER__*}: where the HTTP API listens
 * @param auth     {@code ERYAO_AUTH__*}: how the HTTP API verifies tokens
 * @param tools    {@code ERYAO_TOOLS__*}: the read-only data-viewing tools
 * @param worker   {@code ERYAO_WORKER__*}: how agent runs are worked off
 * @param llm      {@code ERYAO_LLM__*}: how LLM providers are called
 * @param runs     {@code ERYAO_RUNS__*}: what one owner may ask of the run queue
 * @param mcp      {@code ERYAO_MCP__*}: how registered MCP servers are called
 */
public record Settings(
        Path dataDir,
        DatabaseSettings database,
        ServerSettings server,
        AuthSettings auth,
        ToolsSettings tools,
        WorkerSettings worker,
        LlmSettings llm,
        RunsSettings runs,
        McpSettings mcp) {

    public static final String DEFAULT_DATA_DIR = ".eryao";

    public Settings {
        SettingsException.required("ERYAO_DATA_DIR", dataDir);
        SettingsException.required("ERYAO_DATABASE__*", database);
        SettingsException.required("ERYAO_SERVER__*", server);
        SettingsException.required("ERYAO_AUTH__*", auth);
        SettingsException.required("ERYAO_TOOLS__*", tools);
        SettingsException.required("ERYAO_WORKER__*", worker);
        SettingsException.required("ERYAO_LLM__*", llm);
        SettingsException.required("ERYAO_RUNS__*", runs);
        SettingsException.required("ERYAO_MCP__*", mcp);
        worker.requireLeaseOutlasts(llm);
    }

    public static Settings from(Environment environment) {
        VariableReader reader = new VariableReader(environment);
        DatabaseSettings database = DatabaseSettings.read(reader);
        LlmSettings llm = LlmSettings.read(reader);
        return new Settings(
                Path.of(reader.string("ERYAO_DATA_DIR", DEFAULT_DATA_DIR)),
                database,
                ServerSettings.read(reader),
                AuthSettings.read(reader),
                ToolsSettings.read(reader, database.user()),
                WorkerSettings.read(reader),
                llm,
                RunsSettings.read(reader),
                McpSettings.read(reader));
    }

    /** Settings from the process environment over {@code ./.env}. */
    public static Settings load() {
        return from(Environment.load());
    }

    public Settings withAuth(AuthSettings newAuth) {
        return new Settings(dataDir, database, server, newAuth, tools, worker, llm, runs, mcp);
    }

    public Settings withDatabase(DatabaseSettings newDatabase) {
        return new Settings(dataDir, newDatabase, server, auth, tools, worker, llm, runs, mcp);
    }

    public Settings withWorker(WorkerSettings newWorker) {
        return new Settings(dataDir, database, server, auth, tools, newWorker, llm, runs, mcp);
    }

    public Settings withRuns(RunsSettings newRuns) {
        return new Settings(dataDir, database, server, auth, tools, worker, llm, newRuns, mcp);
    }

    public Settings withMcp(McpSettings newMcp) {
        return new Settings(dataDir, database, server, auth, tools, worker, llm, runs, newMcp);
    }

    public Settings withTools(ToolsSettings newTools) {
        return new Settings(dataDir, database, server, auth, newTools, worker, llm, runs, mcp);
    }
}
