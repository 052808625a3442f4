package dev.eryao.services;

import dev.eryao.models.McpServerRegistration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A registered MCP server, as administrators see it. A secret header shows its name and the
 * variable that holds its value: the value itself is never stored, so never shown.
 */
public record McpServerView(
        UUID id,
        String name,
        String url,
        List<String> allowedTools,
        List<String> approvalTools,
        long pricePerCall,
        @Nullable String secretHeaderName,
        @Nullable String secretHeaderVariable,
        boolean isEnabled,
        Instant createdAt,
        Instant updatedAt) {
    static McpServerView of(McpServerRegistration server) {
        return new McpServerView(
                server.getId(),
                server.getName(),
                server.getUrl(),
                server.getAllowedTools(),
                server.getApprovalTools(),
                server.getPricePerCall(),
                server.getSecretHeaderName(),
                server.getSecretHeaderVariable(),
                server.isEnabled(),
                server.getCreatedAt(),
                server.getUpdatedAt());
    }
}
