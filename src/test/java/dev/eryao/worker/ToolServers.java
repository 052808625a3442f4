package dev.eryao.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.mcp.McpHttpServer;
import dev.eryao.mcp.StandInMcpServer;
import dev.eryao.services.McpServerDraft;
import dev.eryao.support.ScriptedMcpServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * MCP servers on loopback for a test's runs to call, registered with the fixture's app. All are
 * closed with this, so a test that fails midway leaves no server behind.
 */
final class ToolServers implements AutoCloseable {
    /** Makes the names a test registers its own. */
    final String unique = UUID.randomUUID().toString().substring(0, 8);

    private final RunFixture fixture;
    private final List<Runnable> closers = new ArrayList<>();

    ToolServers(RunFixture fixture) {
        this.fixture = fixture;
    }

    /** The SDK's server side, with the stand-in's tools ({@code add}, {@code word_count}, …). */
    McpHttpServer standIn() throws IOException {
        McpHttpServer server = StandInMcpServer.start(0);
        closers.add(server::close);
        return server;
    }

    /** A server that answers as the test scripts it, for what the SDK's will not do. */
    ScriptedMcpServer scripted(Function<String, Object> pages, Function<JsonNode, String> calls) throws IOException {
        ScriptedMcpServer server = ScriptedMcpServer.start(pages, calls);
        closers.add(server::close);
        return server;
    }

    /**
     * Registers the server at {@code url} as {@code prefix-<unique>}: its {@code allowed} tools are
     * offered, those in {@code approval} called only once the owner approves, each call priced
     * {@code pricePerCall} points. Returns the name runs refer to it by.
     */
    String register(String prefix, String url, List<String> allowed, List<String> approval, long pricePerCall) {
        String name = prefix + "-" + unique;
        fixture.app
                .mcpServers()
                .create(new McpServerDraft(name, url, allowed, approval, pricePerCall, null, null, null));
        return name;
    }

    @Override
    public void close() {
        closers.forEach(Runnable::run);
    }
}
