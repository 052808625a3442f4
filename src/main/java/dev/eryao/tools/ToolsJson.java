package dev.eryao.tools;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON both the CLI's {@code --json} and the MCP tools print, so a person and an agent see the
 * same thing: compact, snake_case keys (as Supabase's MCP tools use), rows as objects keyed by column.
 */
public final class ToolsJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private ToolsJson() {}

    /**
     * {@code {"columns": [...], "rows": [{...}], "row_count": n, "truncated": b, "max_rows": n, "max_bytes": n}},
     * and when truncated, {@code "truncated_by"} ({@code "rows"} or {@code "bytes"}) and a {@code "note"} saying so.
     */
    public static String queryResult(QueryResult result) {
        List<String> keys = uniqueKeys(result.columns());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (List<Object> row : result.rows()) {
            Map<String, Object> object = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                object.put(keys.get(i), row.get(i));
            }
            rows.add(object);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("columns", result.columns());
        json.put("rows", rows);
        json.put("row_count", rows.size());
        json.put("truncated", result.truncated());
        json.put("max_rows", result.maxRows());
        json.put("max_bytes", result.maxBytes());
        if (result.truncated()) {
            json.put("truncated_by", result.cut().name().toLowerCase(java.util.Locale.ROOT));
            json.put("note", TextOutput.cutNote(result));
        }
        return write(json);
    }

    public static String tables(List<TableInfo> tables) {
        return write(tables);
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** json/jsonb text as a JSON tree; text PostgreSQL produced is always valid, but never fail on it. */
    static Object parseOrText(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return text;
        }
    }

    /** {@code SELECT 1, 1} has two columns named {@code ?column?}: the second key becomes {@code ?column?_2}. */
    private static List<String> uniqueKeys(List<String> columns) {
        Set<String> seen = new HashSet<>();
        List<String> keys = new ArrayList<>();
        for (String column : columns) {
            String key = column;
            for (int n = 2; !seen.add(key); n++) {
                key = column + "_" + n;
            }
            keys.add(key);
        }
        return keys;
    }
}
