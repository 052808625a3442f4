package dev.eryao.services;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A registered server's tools as it lists them now.
 *
 * @param reachable whether the server could be listed
 * @param error     why not (down, slow, garbage, an error, an unset secret), or null when it was
 * @param tools     what it lists (empty when it could not be listed)
 */
public record McpServerToolsView(
        UUID serverId,
        String server,
        boolean reachable,
        @Nullable String error,
        List<McpServerToolView> tools) {}
