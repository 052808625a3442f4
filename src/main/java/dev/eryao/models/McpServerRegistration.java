package dev.eryao.models;

import dev.eryao.core.db.UpdatableEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.util.List;
import org.hibernate.annotations.ColumnDefault;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.annotations.SoftDelete;
import org.hibernate.annotations.SoftDeleteType;
import org.hibernate.type.SqlTypes;

/**
 * An MCP server an administrator registered ({@code mcp_server}): where it answers (streamable
 * HTTP), which of its tools runs may call, which of those need the owner's approval, and what a
 * call costs. A secret header is kept as the name of the {@code ERYAO_*} variable holding its
 * value, never the value.
 */
@Entity
@Table(
        name = "mcp_server",
        indexes = {
            // unique among live rows only, so a deleted registration's name can be used again
            @Index(
                    name = "ix_mcp_server_name",
                    columnList = "name",
                    unique = true,
                    options = "WHERE deleted_at IS NULL")
        })
@SoftDelete(columnName = "deleted_at", strategy = SoftDeleteType.TIMESTAMP)
public class McpServerRegistration extends UpdatableEntity {
    public static final int NAME_MAX_LENGTH = 32;
    public static final int URL_MAX_LENGTH = 500;
    public static final int SECRET_HEADER_MAX_LENGTH = 100;
    /** In {@link #getAllowedTools()} or {@link #getApprovalTools()}: every tool the server lists. */
    public static final String ALL_TOOLS = "*";

    @Column(name = "name", nullable = false, length = NAME_MAX_LENGTH)
    private String name;

    @Column(name = "url", nullable = false, length = URL_MAX_LENGTH)
    private String url;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "allowed_tools", nullable = false, columnDefinition = "text[]")
    private String[] allowedTools;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "approval_tools", nullable = false, columnDefinition = "text[]")
    private String[] approvalTools;

    @Column(name = "price_per_call", nullable = false)
    private long pricePerCall;

    @Column(name = "secret_header_name", length = SECRET_HEADER_MAX_LENGTH)
    private String secretHeaderName;

    @Column(name = "secret_header_variable", length = SECRET_HEADER_MAX_LENGTH)
    private String secretHeaderVariable;

    @ColumnDefault("true")
    @Column(name = "is_enabled", nullable = false)
    private boolean enabled = true;

    protected McpServerRegistration() {}

    public McpServerRegistration(
            String name, String url, List<String> allowedTools, List<String> approvalTools, long pricePerCall) {
        this.name = name;
        this.url = url;
        this.allowedTools = allowedTools.toArray(String[]::new);
        this.approvalTools = approvalTools.toArray(String[]::new);
        this.pricePerCall = pricePerCall;
    }

    public String getName() {
        return name;
    }

    public String getUrl() {
        return url;
    }

    public List<String> getAllowedTools() {
        return List.of(allowedTools);
    }

    public List<String> getApprovalTools() {
        return List.of(approvalTools);
    }

    public long getPricePerCall() {
        return pricePerCall;
    }

    /** The header's name, or null when none is sent. */
    public String getSecretHeaderName() {
        return secretHeaderName;
    }

    /** The {@code ERYAO_*} variable holding the header's value, or null when none is sent. */
    public String getSecretHeaderVariable() {
        return secretHeaderVariable;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void rename(String newName) {
        this.name = newName;
    }

    public void moveTo(String newUrl) {
        this.url = newUrl;
    }

    public void allow(List<String> tools) {
        this.allowedTools = tools.toArray(String[]::new);
    }

    public void requireApprovalFor(List<String> tools) {
        this.approvalTools = tools.toArray(String[]::new);
    }

    public void reprice(long newPrice) {
        this.pricePerCall = newPrice;
    }

    /** Both null: no secret header. */
    public void sendSecretHeader(String headerName, String variable) {
        this.secretHeaderName = headerName;
        this.secretHeaderVariable = variable;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** Whether the tool named {@code tool} on this server may be called. */
    public boolean allows(String tool) {
        return names(allowedTools, tool);
    }

    /** Whether a call of {@code tool} parks its run for the owner's approval. */
    public boolean needsApproval(String tool) {
        return names(approvalTools, tool);
    }

    private static boolean names(String[] list, String tool) {
        for (String entry : list) {
            if (entry.equals(ALL_TOOLS) || entry.equals(tool)) {
                return true;
            }
        }
        return false;
    }
}
