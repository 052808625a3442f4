package dev.eryao.mcp;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpTransportContextExtractor;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema.ServerCapabilities;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An MCP server over streamable HTTP on {@code 127.0.0.1}, built with the official SDK's server
 * side (its servlet transport, on Jetty) and serving the tools it is given at {@link #PATH}: the
 * stand-in's demo server, and the tests' real MCP servers.
 */
public final class McpHttpServer implements AutoCloseable {
    public static final String PATH = "/mcp";

    private final Server jetty;
    private final McpSyncServer mcp;

    private McpHttpServer(Server jetty, McpSyncServer mcp) {
        this.jetty = jetty;
        this.mcp = mcp;
    }

    /** Serves {@code tools} as server {@code name} on {@code 127.0.0.1:port} (0: any free port). */
    public static McpHttpServer start(int port, String name, List<SyncToolSpecification> tools) throws IOException {
        return start(port, name, tools, request -> McpTransportContext.EMPTY);
    }

    /**
     * As {@link #start(int, String, List)}; {@code context} reads what a tool may see of each HTTP
     * request (its exchange's transport context).
     */
    public static McpHttpServer start(
            int port,
            String name,
            List<SyncToolSpecification> tools,
            McpTransportContextExtractor<HttpServletRequest> context)
            throws IOException {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(McpJsonDefaults.getMapper())
                .mcpEndpoint(PATH)
                .contextExtractor(context)
                .build();
        McpSyncServer mcp = McpServer.sync(transport)
                .serverInfo(name, "1")
                .capabilities(ServerCapabilities.builder().tools(false).build())
                .tools(tools)
                .build();
        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        jetty.addConnector(connector);
        ServletContextHandler handler = new ServletContextHandler();
        handler.setContextPath("/");
        ServletHolder servlet = new ServletHolder(transport);
        servlet.setAsyncSupported(true);
        handler.addServlet(servlet, PATH);
        jetty.setHandler(handler);
        try {
            jetty.start();
        } catch (Exception e) {
            mcp.close();
            stopQuietly(jetty);
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
        return new McpHttpServer(jetty, mcp);
    }

    public int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port() + PATH;
    }

    /** Stops at once: open connections are closed, a call in flight is cut off. */
    @Override
    public void close() {
        mcp.close();
        stopQuietly(jetty);
    }

    private static void stopQuietly(Server jetty) {
        try {
            jetty.setStopTimeout(0);
            jetty.stop();
        } catch (Exception ignored) {
            // stopping a server that failed to start, or stops with calls in flight: nothing to keep
        }
    }
}
