package dev.eryao.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * JSON Schemas for the OpenAPI document, read from the same records the API reads and writes, with
 * the same snake_case names, so the document describes exactly what goes over the wire.
 */
final class JsonSchemas {
    private static final PropertyNamingStrategies.NamingBase SNAKE = JsonBodies.NAMING;
    /** Writes an enum's constants as the API does ({@code @JsonValue}), to list them. */
    private static final ObjectMapper CONSTANTS = new ObjectMapper();

    private final Map<String, Object> components = new LinkedHashMap<>();

    /** Every record schema referenced so far, by name. */
    Map<String, Object> components() {
        return components;
    }

    /** A schema for {@code type}; records become {@code $ref}s to components. */
    Map<String, Object> of(Type type) {
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == List.class) {
            return Map.of("type", "array", "items", of(parameterized.getActualTypeArguments()[0]));
        }
        if (!(type instanceof Class<?> cls)) {
            return Map.of();
        }
        if (cls == String.class) {
            return Map.of("type", "string");
        }
        if (cls == UUID.class) {
            return Map.of("type", "string", "format", "uuid");
        }
        if (cls == Instant.class) {
            return Map.of("type", "string", "format", "date-time");
        }
        if (cls == int.class || cls == Integer.class) {
            return Map.of("type", "integer", "format", "int32");
        }
        if (cls == long.class || cls == Long.class) {
            return Map.of("type", "integer", "format", "int64");
        }
        if (cls == BigDecimal.class) {
            return Map.of("type", "number");
        }
        if (cls == boolean.class || cls == Boolean.class) {
            return Map.of("type", "boolean");
        }
        if (cls.isEnum()) {
            return Map.of(
                    "type",
                    "string",
                    "enum",
                    Arrays.stream(cls.getEnumConstants())
                            .map(constant -> CONSTANTS.convertValue(constant, String.class))
                            .toList());
        }
        if (cls.isRecord()) {
            String name = cls.getSimpleName();
            if (!components.containsKey(name)) {
                components.put(name, Map.of());
                components.put(name, recordSchema(cls));
            }
            return Map.of("$ref", "#/components/schemas/" + name);
        }
        return Map.of("type", "object");
    }

    private Map<String, Object> recordSchema(Class<?> record) {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (RecordComponent component : record.getRecordComponents()) {
            properties.put(SNAKE.translate(component.getName()), of(component.getGenericType()));
        }
        return Map.of("type", "object", "properties", properties);
    }
}
