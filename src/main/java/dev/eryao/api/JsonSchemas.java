package dev.eryao.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * JSON Schemas for the OpenAPI document (3.1, so JSON Schema 2020-12), read from the same records
 * the API reads and writes, with the same snake_case names, so the document describes exactly what
 * goes over the wire. Records and enums become components; an enum lists its wire names
 * ({@code @JsonValue}).
 *
 * <p>Which fields may be null is read from the records themselves: a component whose type is
 * annotated {@link Nullable} (jspecify) may be null, every other one never is, so a new field says
 * it where it is declared. What that means depends on the direction:
 * <ul>
 *   <li>An answer's record is written whole (Jackson writes nulls): every field is {@code required},
 *       a {@code @Nullable} one has {@code "null"} among its types. A record written with
 *       {@code @JsonInclude(NON_NULL)} leaves its null fields out instead: they are optional and
 *       never null. No other property is written ({@code additionalProperties: false}).</li>
 *   <li>A request's record: a {@code @Nullable} field may be left out or sent as null; every other
 *       one is {@code required}.</li>
 * </ul>
 * A record cannot be both a request and an answer: the two would need different schemas under one name.
 */
final class JsonSchemas {
    /** Which way a record goes: it decides what {@code required} means for its fields. */
    enum Direction {
        REQUEST,
        RESPONSE
    }

    private static final PropertyNamingStrategies.NamingBase SNAKE = JsonBodies.NAMING;
    private static final String REFS = "#/components/schemas/";
    /** Writes an enum's constants as the API does ({@code @JsonValue}), to list them. */
    private static final ObjectMapper CONSTANTS = new ObjectMapper();

    private final Map<String, Object> components = new LinkedHashMap<>();
    private final Map<Class<?>, Direction> directions = new LinkedHashMap<>();

    /** Every record and enum schema referenced so far, by name. */
    Map<String, Object> components() {
        return components;
    }

    /** A schema for {@code type} (never null); records and enums become {@code $ref}s to components. */
    Map<String, Object> of(Type type, Direction direction) {
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == List.class) {
            return Map.of("type", "array", "items", of(parameterized.getActualTypeArguments()[0], direction));
        }
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == Map.class) {
            return Map.of(
                    "type", "object", "additionalProperties", of(parameterized.getActualTypeArguments()[1], direction));
        }
        if (!(type instanceof Class<?> cls)) {
            throw new IllegalArgumentException("no schema for " + type);
        }
        Map<String, Object> scalar = scalar(cls);
        if (scalar != null) {
            return scalar;
        }
        if (cls.isEnum()) {
            components.computeIfAbsent(
                    cls.getSimpleName(),
                    name -> Map.of(
                            "type",
                            "string",
                            "enum",
                            Arrays.stream(cls.getEnumConstants())
                                    .map(constant -> CONSTANTS.convertValue(constant, String.class))
                                    .toList()));
            return Map.of("$ref", REFS + cls.getSimpleName());
        }
        if (cls.isRecord()) {
            Direction earlier = directions.putIfAbsent(cls, direction);
            if (earlier != null && earlier != direction) {
                throw new IllegalStateException(cls.getSimpleName() + " is both a request body and an answer: give"
                        + " each its own record, as their required fields differ");
            }
            if (earlier == null) {
                components.put(cls.getSimpleName(), Map.of()); // a record that refers to itself finds its name
                components.put(cls.getSimpleName(), record(cls, direction));
            }
            return Map.of("$ref", REFS + cls.getSimpleName());
        }
        throw new IllegalArgumentException("no schema for " + cls.getName() + ": add it to JsonSchemas");
    }

    private static Map<String, Object> scalar(Class<?> cls) {
        if (cls == Object.class) {
            return Map.of(); // any JSON value: a JSON Schema a client gives, say
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
        return null;
    }

    private Map<String, Object> record(Class<?> record, Direction direction) {
        JsonInclude include = record.getAnnotation(JsonInclude.class);
        boolean nullsLeftOut = include != null && include.value() == JsonInclude.Include.NON_NULL;
        Map<String, Object> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (RecordComponent component : record.getRecordComponents()) {
            String name = SNAKE.translate(component.getName());
            boolean nullable = isNullable(component.getAnnotatedType());
            Map<String, Object> schema = of(component.getGenericType(), direction);
            boolean sendsNull = nullable && (direction == Direction.REQUEST || !nullsLeftOut);
            properties.put(name, sendsNull ? orNull(schema) : schema);
            if (!nullable || direction == Direction.RESPONSE && !nullsLeftOut) {
                required.add(name);
            }
        }
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", properties);
        if (!required.isEmpty()) {
            schema.put("required", required);
        }
        if (direction == Direction.RESPONSE) {
            schema.put("additionalProperties", false);
        }
        return schema;
    }

    static boolean isNullable(AnnotatedType type) {
        return type.isAnnotationPresent(Nullable.class);
    }

    /** {@code schema}, or null. */
    static Map<String, Object> orNull(Map<String, Object> schema) {
        Object type = schema.get("type");
        if (type instanceof String single && !schema.containsKey("enum")) {
            Map<String, Object> copy = new LinkedHashMap<>(schema);
            copy.put("type", List.of(single, "null"));
            return copy;
        }
        return Map.of("oneOf", List.of(schema, Map.of("type", "null")));
    }
}
