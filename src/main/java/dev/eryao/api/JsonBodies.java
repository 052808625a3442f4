package dev.eryao.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.eryao.core.Causes;
import dev.eryao.core.Uuids;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * JSON in and out: snake_case names, ISO-8601 UTC times, and strict reading — a string where a
 * number belongs, a number where a string belongs, a fraction for a whole number, a field the
 * request does not have, or trailing garbage is refused with a {@link RequestException} naming the
 * field, before any service runs.
 */
final class JsonBodies {
    /**
     * snake_case with a number as its own word, as the columns are named: {@code inputPricePer1k}
     * is {@code input_price_per_1k} (Jackson's SNAKE_CASE would say {@code input_price_per1k}).
     */
    static final PropertyNamingStrategies.NamingBase NAMING = new PropertyNamingStrategies.NamingBase() {
        @Override
        public String translate(String name) {
            String snake = ((PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE).translate(name);
            return snake == null ? null : snake.replaceAll("([a-z])([0-9])", "$1_$2");
        }
    };

    private final ObjectMapper mapper;

    JsonBodies(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    static ObjectMapper strictMapper() {
        // Jackson's default buffer pool keeps one set of buffers per thread; every request runs on a
        // new virtual thread, so it allocated new buffers for every request. A shared pool lends
        // the same buffers to whichever request needs them; bounded (100 sets), so that a burst of
        // concurrent requests does not leave its buffers behind for good.
        JsonFactory factory = JsonFactory.builder()
                .recyclerPool(JsonRecyclerPools.sharedBoundedPool())
                .build();
        ObjectMapper mapper = JsonMapper.builder(factory)
                .propertyNamingStrategy(NAMING)
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .addModule(new SimpleModule().addDeserializer(UUID.class, new CanonicalUuidDeserializer()))
                .build();
        for (LogicalType type :
                new LogicalType[] {LogicalType.Textual, LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(type)
                    .setCoercion(
                            CoercionInputShape.Integer,
                            type == LogicalType.Integer || type == LogicalType.Float
                                    ? CoercionAction.TryConvert
                                    : CoercionAction.Fail)
                    .setCoercion(
                            CoercionInputShape.Float,
                            type == LogicalType.Float ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(
                            CoercionInputShape.Boolean,
                            type == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(
                            CoercionInputShape.String,
                            type == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail);
        }
        return mapper;
    }

    /** The request's JSON body as {@code type}; 415 unless it says {@code application/json}, 400 unless it reads. */
    <T> T read(Context ctx, Class<T> type) {
        if (!isJson(ctx.contentType())) {
            throw new RequestException(415, "send the body as JSON with Content-Type: application/json", Map.of());
        }
        byte[] body = bodyOf(ctx);
        if (body.length == 0) {
            throw RequestException.badRequest("a JSON object is required as the request body");
        }
        try {
            T value = mapper.readValue(body, type);
            if (value == null) {
                throw RequestException.badRequest("the request body must be a JSON object, not null");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            String accepted = e.getKnownPropertyIds().stream()
                    .map(String::valueOf)
                    .sorted()
                    .collect(Collectors.joining(", "));
            throw RequestException.field(path(e), "is not a field of this request (accepted: " + accepted + ")");
        } catch (MismatchedInputException e) {
            String field = path(e);
            if (field.isEmpty()) {
                throw RequestException.badRequest("the request body must be a JSON object");
            }
            throw RequestException.field(field, "must be " + describe(e.getTargetType()));
        } catch (JsonMappingException e) {
            throw RequestException.badRequest("the request body does not fit this request: " + e.getOriginalMessage());
        } catch (JacksonException e) {
            throw RequestException.badRequest(
                    "the request body is not valid JSON: " + e.getOriginalMessage() + location(e));
        } catch (IOException e) {
            throw RequestException.badRequest("the request body could not be read");
        }
    }

    /**
     * Exactly the JSON media type: {@code application/json} in any case, with optional parameters
     * ({@code ; charset=utf-8}); not {@code application/jsonx}, {@code text/json} or
     * {@code application/json-patch+json}. A charset, if named, must be UTF-8, the only one read.
     */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.split(";", -1);
        if (!parts[0].strip().equalsIgnoreCase("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip();
            int equals = parameter.indexOf('=');
            if (equals < 1) {
                return false;
            }
            String name = parameter.substring(0, equals).strip();
            String value = parameter.substring(equals + 1).strip().replace("\"", "");
            if (name.equalsIgnoreCase("charset") && !value.equalsIgnoreCase("utf-8")) {
                return false;
            }
        }
        return true;
    }

    /**
     * The body's bytes. A client that stops sending before its Content-Length (Jetty's early EOF,
     * found by bench/faults) made a bad request: 400, not an unexpected 500; one too slow to send it
     * is a 408 ({@link RequestDeadlines}). Javalin's own answers
     * (413 for a body over the limit) pass through.
     */
    private static byte[] bodyOf(Context ctx) {
        try {
            return ctx.bodyAsBytes();
        } catch (HttpResponseException e) {
            throw e;
        } catch (Exception e) {
            if (Causes.find(e, TimeoutException.class).isPresent()) {
                // RequestDeadlines woke the read: the body did not arrive within its bound.
                throw new RequestException(408, "the request body did not arrive in time", Map.of());
            }
            throw RequestException.badRequest("the request body could not be read: it ended before its Content-Length");
        }
    }

    /**
     * UUIDs in bodies only in canonical form ({@link Uuids}): Jackson's own reader also takes a
     * 24-character base64 spelling, so one id could be sent two ways.
     */
    private static final class CanonicalUuidDeserializer extends StdScalarDeserializer<UUID> {
        CanonicalUuidDeserializer() {
            super(UUID.class);
        }

        @Override
        public UUID deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
                return (UUID) context.handleUnexpectedToken(UUID.class, parser);
            }
            String text = parser.getText();
            if (!Uuids.isCanonical(text)) {
                return (UUID) context.handleWeirdStringValue(UUID.class, text, "not a UUID");
            }
            return Uuids.parseCanonical(text);
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null
                ? ""
                : " (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ")";
    }

    /** What a person should send instead, for the Java types requests use. */
    static String describe(Class<?> type) {
        if (type == null) {
            return "a different kind of value";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == UUID.class) {
            return "a UUID string";
        }
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
            return "a whole number";
        }
        if (type == BigDecimal.class || type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            return "one of "
                    + java.util.Arrays.stream(type.getEnumConstants())
                            .map(Object::toString)
                            .collect(Collectors.joining(", "));
        }
        return "a JSON object";
    }
}
