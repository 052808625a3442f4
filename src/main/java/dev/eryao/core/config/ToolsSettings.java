package dev.eryao.core.config;

import java.time.Duration;

/**
 * How the data-viewing tools ({@code bin/eryao sql}, {@code tables}, {@code mcp}) reach and bound
 * the database, bound from {@code ERYAO_TOOLS__*}. The tools never use the backend's own login:
 * they log in as {@link #readerUser}, the role revision {@code 20261124_0002} creates, which can
 * only read. The constructor refuses a value out of range, by variable. {@code toString()} masks the
 * password.
 *
 * @param maxRows            {@code ERYAO_TOOLS__MAX_ROWS}: the most rows one query returns; more are cut off
 * @param maxBytes           {@code ERYAO_TOOLS__MAX_BYTES}: the most bytes of values one query returns (each
 *                           value counted in UTF-8, as PostgreSQL's text form); the rows past it are cut off,
 *                           and a single row larger than it is refused before the driver holds it
 * @param statementTimeout   {@code ERYAO_TOOLS__STATEMENT_TIMEOUT_MS}: the longest one query may run;
 *                           never zero, so no query can hold the database indefinitely
 * @param readerUser         {@code ERYAO_TOOLS__READER_USER}: the read-only login
 * @param readerPassword     {@code ERYAO_TOOLS__READER_PASSWORD}: its password; the embedded server
 *                           trusts local connections and needs none
 */
public record ToolsSettings(
        int maxRows, int maxBytes, Duration statementTimeout, String readerUser, Secret readerPassword) {

    public static final int DEFAULT_MAX_ROWS = 100;
    public static final int MAX_ROWS_LIMIT = 10_000;
    public static final int DEFAULT_MAX_BYTES = 1 << 20;
    /** Below this not even a page of ordinary rows fits; above it one answer would swamp an agent's context. */
    public static final int MIN_MAX_BYTES = 1_024;

    public static final int MAX_BYTES_LIMIT = 64 << 20;
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration STATEMENT_TIMEOUT_LIMIT = Duration.ofMinutes(10);
    /** The role revision 20261124_0002 creates. */
    public static final String READER_ROLE = "eryao_reader";

    static final String PREFIX = "ERYAO_TOOLS__";
    static final NumberVariable MAX_ROWS = NumberVariable.count(PREFIX + "MAX_ROWS", 1, MAX_ROWS_LIMIT);
    static final NumberVariable MAX_BYTES = NumberVariable.count(PREFIX + "MAX_BYTES", MIN_MAX_BYTES, MAX_BYTES_LIMIT);
    static final NumberVariable STATEMENT_TIMEOUT = NumberVariable.millis(
            PREFIX + "STATEMENT_TIMEOUT_MS", 1, Math.toIntExact(STATEMENT_TIMEOUT_LIMIT.toMillis()));

    public ToolsSettings {
        MAX_ROWS.check(maxRows);
        MAX_BYTES.check(maxBytes);
        STATEMENT_TIMEOUT.check(statementTimeout);
        SettingsException.required(PREFIX + "READER_USER", readerUser);
        SettingsException.required(PREFIX + "READER_PASSWORD", readerPassword);
    }

    /** @param databaseUser the backend's login, whose Supabase pooler suffix the reader's login shares */
    static ToolsSettings read(VariableReader env, String databaseUser) {
        return new ToolsSettings(
                MAX_ROWS.read(env, DEFAULT_MAX_ROWS),
                MAX_BYTES.read(env, DEFAULT_MAX_BYTES),
                STATEMENT_TIMEOUT.read(env, DEFAULT_STATEMENT_TIMEOUT),
                env.string(PREFIX + "READER_USER", defaultReaderUser(databaseUser)),
                env.secret(PREFIX + "READER_PASSWORD"));
    }

    /**
     * {@code eryao_reader}, or {@code eryao_reader.<project-ref>} when the backend logs in through
     * Supabase's pooler as {@code postgres.<project-ref>}: the pooler finds the project by that suffix.
     */
    static String defaultReaderUser(String databaseUser) {
        int dot = databaseUser.indexOf('.');
        return dot < 0 ? READER_ROLE : READER_ROLE + databaseUser.substring(dot);
    }

    /** The same settings with a row cap given on the command line, checked like the variable. */
    public ToolsSettings withMaxRows(int rows) {
        checked("--max-rows", rows, 1, MAX_ROWS_LIMIT);
        return new ToolsSettings(rows, maxBytes, statementTimeout, readerUser, readerPassword);
    }

    /** The same settings with a byte cap given on the command line, checked like the variable. */
    public ToolsSettings withMaxBytes(int bytes) {
        checked("--max-bytes", bytes, MIN_MAX_BYTES, MAX_BYTES_LIMIT);
        return new ToolsSettings(maxRows, bytes, statementTimeout, readerUser, readerPassword);
    }

    /** The same settings with a timeout given on the command line ({@code --timeout-ms}), checked like the variable. */
    public ToolsSettings withStatementTimeout(Duration timeout) {
        checked("--timeout-ms", timeout.toMillis(), 1, STATEMENT_TIMEOUT_LIMIT.toMillis());
        return new ToolsSettings(maxRows, maxBytes, timeout, readerUser, readerPassword);
    }

    /** Refuses a flag's value by the flag's name, before the constructor would name the variable. */
    private static void checked(String flag, long value, long min, long max) {
        if (value < min || value > max) {
            throw new SettingsException(
                    flag + "=" + value + " is not accepted: expected a whole number from " + min + " to " + max);
        }
    }
}
