package dev.eryao.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stand-in's demo tools answer the same arguments the same way, and refuse what they cannot do. */
class StandInMcpServerTest {
    private final List<SyncToolSpecification> tools =
            StandInMcpServer.tools(Clock.fixed(Instant.parse("2026-12-03T08:15:30.250Z"), ZoneOffset.UTC));

    private CallToolResult call(String name, Map<String, Object> arguments) {
        SyncToolSpecification tool = tools.stream()
                .filter(spec -> spec.tool().name().equals(name))
                .findFirst()
                .orElseThrow();
        return tool.callHandler().apply(null, new CallToolRequest(name, arguments));
    }

    private static String text(CallToolResult result) {
        return ((TextContent) result.content().getFirst()).text();
    }

    @Test
    void theToolsAnswerDeterministically() {
        assertThat(text(call("add", Map.of("a", 0.1, "b", 0.2)))).isEqualTo("0.3");
        assertThat(text(call("add", Map.of("a", 2, "b", -5)))).isEqualTo("-3");
        assertThat(text(call("word_count", Map.of("text", "  the quick\tbrown\nfox  "))))
                .isEqualTo("4");
        assertThat(text(call("word_count", Map.of("text", "   ")))).isEqualTo("0");
        assertThat(text(call("clock", Map.of()))).isEqualTo("2026-12-03T08:15:30Z");
    }

    @Test
    void argumentsTheyCannotUseAreErrorResults() {
        CallToolResult notNumbers = call("add", Map.of("a", "two", "b", 2));
        CallToolResult tooLong = call("word_count", Map.of("text", "x".repeat(StandInMcpServer.MAX_TEXT_CHARS + 1)));

        assertThat(notNumbers.isError()).isTrue();
        assertThat(text(notNumbers)).isEqualTo("add needs two numbers, a and b");
        assertThat(tooLong.isError()).isTrue();
    }
}
