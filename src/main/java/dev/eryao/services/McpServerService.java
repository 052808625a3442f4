package dev.eryao.services;

import dev.eryao.core.config.McpSettings;
import dev.eryao.core.db.Transactions;
import dev.eryao.mcp.ListedTool;
import dev.eryao.mcp.McpUnavailableException;
import dev.eryao.models.McpServerRegistration;
import dev.eryao.repositories.McpServerRepository;
import dev.eryao.services.tools.McpRegisteredTools;
import dev.eryao.services.tools.McpServerTools;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The registry of MCP servers, for administrators: register, change, (softly) delete, and see a
 * server's tools as it lists them now. Names are unique among live registrations (a partial unique
 * index; a duplicate is a {@link ConflictException}); every refusal names its field and writes
 * nothing. See docs/mcp-servers.md.
 */
public final class McpServerService {
    public static final int MAX_LISTED = 1_000;
    /** More names than any server has tools worth listing. */
    public static final int MAX_TOOL_NAMES = 1_000;
    /** Prices are points; this keeps a run's sum of them far from overflowing. */
    public static final long MAX_PRICE_PER_CALL = 1_000_000_000L;

    private static final String NAME_INDEX = "ix_mcp_server_name";
    private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,31}$");
    /** A tool's name on its server as a registration may list it: what a model's tool name may hold. */
    private static final Pattern TOOL = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");
    /** An HTTP header name (RFC 9110 token). */
    private static final Pattern HEADER = Pattern.compile("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$");
    /** Headers the client sets itself, or that the HTTP client refuses to have set. */
    private static final Set<String> RESERVED_HEADERS = Set.of(
            "accept",
            "cache-control",
            "connection",
            "content-length",
            "content-type",
            "expect",
            "host",
            "last-event-id",
            "mcp-protocol-version",
            "mcp-session-id",
            "transfer-encoding",
            "upgrade");

    private final Transactions transactions;
    private final McpServerRepository servers;
    private final McpServerTools tools;

    public McpServerService(Transactions transactions, McpServerRepository servers, McpServerTools tools) {
        this.transactions = transactions;
        this.servers = servers;
        this.tools = tools;
    }

    public List<McpServerView> list() {
        return transactions.read(
                () -> servers.all(MAX_LISTED).stream().map(McpServerView::of).toList());
    }

    public McpServerView get(UUID id) {
        return McpServerView.of(transactions.read(() -> server(id)));
    }

    public McpServerView create(McpServerDraft draft) {
        String name = name(draft.name());
        String url = url(draft.url());
        if (draft.allowedTools() == null) {
            throw InvalidInputException.field(
                    "allowed_tools", "is required: the tools runs may call, or [\"*\"] for every tool it lists");
        }
        List<String> allowed = toolNames("allowed_tools", draft.allowedTools());
        List<String> approval =
                draft.approvalTools() == null ? List.of() : toolNames("approval_tools", draft.approvalTools());
        long price = price(draft.pricePerCall() == null ? 0L : draft.pricePerCall());
        String[] header = secretHeader(draft.secretHeaderName(), draft.secretHeaderVariable(), false);
        String duplicate = "an MCP server named '" + name + "' is registered";
        return unique(duplicate, () -> {
            if (servers.byName(name).isPresent()) {
                throw new ConflictException(duplicate);
            }
            McpServerRegistration server = new McpServerRegistration(name, url, allowed, approval, price);
            if (header != null) {
                server.sendSecretHeader(header[0], header[1]);
            }
            if (draft.isEnabled() != null) {
                server.setEnabled(draft.isEnabled());
            }
            return McpServerView.of(servers.add(server));
        });
    }

    /** Changes the fields sent; the rest stay. */
    public McpServerView update(UUID id, McpServerDraft changes) {
        String name = changes.name() == null ? null : name(changes.name());
        String url = changes.url() == null ? null : url(changes.url());
        List<String> allowed =
                changes.allowedTools() == null ? null : toolNames("allowed_tools", changes.allowedTools());
        List<String> approval =
                changes.approvalTools() == null ? null : toolNames("approval_tools", changes.approvalTools());
        Long price = changes.pricePerCall() == null ? null : price(changes.pricePerCall());
        boolean headerSent = changes.secretHeaderName() != null || changes.secretHeaderVariable() != null;
        String[] header =
                headerSent ? secretHeader(changes.secretHeaderName(), changes.secretHeaderVariable(), true) : null;
        String duplicate = "an MCP server named '" + name + "' is registered";
        McpServerView view = unique(duplicate, () -> {
            McpServerRegistration server = server(id);
            if (name != null) {
                servers.byName(name).filter(other -> !other.getId().equals(id)).ifPresent(other -> {
                    throw new ConflictException(duplicate);
                });
            }
            servers.updateById(id, s -> {
                if (name != null) {
                    s.rename(name);
                }
                if (url != null) {
                    s.moveTo(url);
                }
                if (allowed != null) {
                    s.allow(allowed);
                }
                if (approval != null) {
                    s.requireApprovalFor(approval);
                }
                if (price != null) {
                    s.reprice(price);
                }
                if (headerSent) {
                    s.sendSecretHeader(header == null ? null : header[0], header == null ? null : header[1]);
                }
                if (changes.isEnabled() != null) {
                    s.setEnabled(changes.isEnabled());
                }
            });
            return McpServerView.of(server);
        });
        tools.forget(id);
        return view;
    }

    public void delete(UUID id) {
        transactions.inTransaction(() -> {
            if (!servers.softDeleteById(id)) {
                throw new NotFoundException("MCP server");
            }
        });
        tools.forget(id);
    }

    /** The server's tools as it lists them now (never from the cache), each with what its registration allows. */
    public McpServerToolsView liveTools(UUID id) {
        McpServerRegistration server = transactions.read(() -> server(id));
        List<ListedTool> listed;
        try {
            listed = tools.listed(server, true);
        } catch (McpUnavailableException e) {
            return new McpServerToolsView(server.getId(), server.getName(), false, e.getMessage(), List.of());
        }
        List<McpServerToolView> views = new ArrayList<>();
        for (ListedTool tool : listed) {
            views.add(new McpServerToolView(
                    tool.name(),
                    McpRegisteredTools.exposedName(server.getName(), tool.name()),
                    tool.description(),
                    tool.inputSchemaJson(),
                    server.allows(tool.name()),
                    server.needsApproval(tool.name()),
                    server.getPricePerCall(),
                    McpRegisteredTools.offerable(server, tool)));
        }
        return new McpServerToolsView(server.getId(), server.getName(), true, null, List.copyOf(views));
    }

    private McpServerRegistration server(UUID id) {
        return servers.getById(id).orElseThrow(() -> new NotFoundException("MCP server"));
    }

    private static String name(String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw InvalidInputException.field(
                    "name",
                    "must be 1 to 32 lower-case letters, digits, '_' or '-', starting with a letter or digit"
                            + " (a model sees its tools as <name>__<tool>)");
        }
        if (value.contains(McpRegisteredTools.SEPARATOR) || value.endsWith("_")) {
            throw InvalidInputException.field(
                    "name", "must not hold '__' nor end with '_': '__' separates the server's name from a tool's");
        }
        return value;
    }

    private static String url(String value) {
        String url = Validation.httpUrl("url", value, McpServerRegistration.URL_MAX_LENGTH);
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException impossible) {
            throw InvalidInputException.field("url", "must be an http(s) URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw InvalidInputException.field(
                    "url", "must not hold user info (user:password@): send a credential as a secret header");
        }
        if (uri.getRawFragment() != null) {
            throw InvalidInputException.field("url", "must not have a fragment (#...)");
        }
        return url;
    }

    /** The names, in order, each once; {@code "*"} (every tool) only alone. */
    private static List<String> toolNames(String field, List<String> names) {
        if (names.size() > MAX_TOOL_NAMES) {
            throw InvalidInputException.field(field, "must name at most " + MAX_TOOL_NAMES + " tools");
        }
        Set<String> unique = new LinkedHashSet<>();
        for (String name : names) {
            if (name == null
                    || !(name.equals(McpServerRegistration.ALL_TOOLS)
                            || TOOL.matcher(name).matches())) {
                throw InvalidInputException.field(
                        field, "must hold tool names of 1 to 64 letters, digits, '_' or '-', or \"*\" for every tool");
            }
            unique.add(name);
        }
        if (unique.contains(McpServerRegistration.ALL_TOOLS) && unique.size() > 1) {
            throw InvalidInputException.field(field, "\"*\" means every tool: it stands alone");
        }
        if (field.equals("allowed_tools") && unique.isEmpty()) {
            throw InvalidInputException.field(
                    field, "must name at least one tool, or be [\"*\"] for every tool the server lists");
        }
        return List.copyOf(unique);
    }

    private static long price(long value) {
        if (value < 0) {
            throw InvalidInputException.field("price_per_call", "must not be negative");
        }
        if (value > MAX_PRICE_PER_CALL) {
            throw InvalidInputException.field("price_per_call", "must be at most " + MAX_PRICE_PER_CALL);
        }
        return value;
    }

    /**
     * {header name, variable}, or null for no header: both fields or neither; in a change, an
     * empty header name (and no variable) removes the header.
     */
    private static String[] secretHeader(String headerName, String variable, boolean change) {
        boolean noName = headerName == null || (change && headerName.isEmpty());
        boolean noVariable = variable == null || (change && variable.isEmpty());
        if (noName && noVariable) {
            return null;
        }
        if (noName) {
            throw InvalidInputException.field(
                    "secret_header_name", "is required with secret_header_variable: the header to send its value in");
        }
        if (noVariable) {
            throw InvalidInputException.field(
                    "secret_header_variable",
                    "is required with secret_header_name: the ERYAO_ variable that holds the header's value");
        }
        if (!HEADER.matcher(headerName).matches()) {
            throw InvalidInputException.field(
                    "secret_header_name", "must be an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)");
        }
        if (RESERVED_HEADERS.contains(headerName.toLowerCase(Locale.ROOT))) {
            throw InvalidInputException.field(
                    "secret_header_name", "must not be a header the MCP client sets itself (" + headerName + ")");
        }
        if (!McpSettings.isSecretVariable(variable)) {
            throw InvalidInputException.field(
                    "secret_header_variable",
                    "must name an environment variable ERYAO_ followed by capitals, digits and single underscores"
                            + " (e.g. ERYAO_MCP_GITHUB_TOKEN): never one of the backend's own settings"
                            + " (ERYAO_<GROUP>__<NAME>, ERYAO_DATA_DIR); its value is never stored");
        }
        return new String[] {headerName, variable};
    }

    /** Runs {@code work} in a transaction; losing a race on the name's index is a conflict, not a 500. */
    private <R> R unique(String conflict, Supplier<R> work) {
        try {
            return transactions.fromTransaction(work);
        } catch (RuntimeException e) {
            if (UniqueViolation.on(e, NAME_INDEX)) {
                throw new ConflictException(conflict);
            }
            throw e;
        }
    }
}
