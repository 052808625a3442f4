package dev.eryao.core.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The guard every native statement a repository runs passes first: one statement only (pgjdbc
 * runs each statement of {@code "SELECT 1; COMMIT"}), and not one that controls the transaction
 * ({@code BEGIN}, {@code START TRANSACTION}, {@code COMMIT}, {@code END}, {@code ROLLBACK},
 * {@code ABORT}, {@code SAVEPOINT}, {@code RELEASE}, {@code PREPARE TRANSACTION},
 * {@code SET TRANSACTION}, {@code SET SESSION CHARACTERISTICS}). Those belong to the service
 * that opened the unit of work.
 *
 * <p>The scan is deliberately small: it reads PostgreSQL's lexical shapes that can hide a
 * {@code ;} or a keyword — {@code --} and nested {@code /* *}{@code /} comments, {@code '...'}
 * strings ({@code ''} inside; backslash escapes only in {@code E'...'}, as with
 * {@code standard_conforming_strings} on, PostgreSQL's default), {@code "..."} identifiers and
 * {@code $tag$...$tag$} dollar quotes — and splits on the {@code ;} outside them. A trailing
 * {@code ;} (or one followed only by comments) is not a second statement. Anything it reads
 * differently from PostgreSQL can only make it refuse more: an unterminated quote or comment is
 * refused. A statement that hides transaction control in a function body ({@code DO}, {@code CALL})
 * gets past this guard but not PostgreSQL, which refuses to end a transaction block from inside one
 * ("invalid transaction termination"); native SQL is only allowed where there is such a block.
 */
final class NativeSql {
    private static final Set<String> CONTROL =
            Set.of("BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE");

    private NativeSql() {}

    /** Returns {@code sql} when it is one statement that does not control the transaction. */
    static String check(String sql) {
        List<String> statements = statements(sql);
        if (statements.size() > 1) {
            throw new IllegalArgumentException("native SQL from a repository must be one statement, found "
                    + statements.size() + ": " + abbreviate(sql));
        }
        if (statements.isEmpty()) {
            throw new IllegalArgumentException("native SQL from a repository is empty");
        }
        String control = transactionControl(statements.getFirst());
        if (control != null) {
            throw new IllegalStateException("repositories do not manage transactions: " + control
                    + " is for the service that opened the unit of work");
        }
        return sql;
    }

    /**
     * The transaction-control command one statement starts with ({@code COMMIT},
     * {@code PREPARE TRANSACTION}, ...), or null when it is none.
     */
    static String transactionControl(String statement) {
        List<String> words = leadingWords(statement);
        String first = words.isEmpty() ? "" : words.getFirst();
        String second = words.size() > 1 ? words.get(1) : "";
        boolean control = CONTROL.contains(first)
                || first.equals("PREPARE") && second.equals("TRANSACTION")
                || first.equals("SET")
                        && (second.equals("TRANSACTION")
                                || second.equals("SESSION")
                                        && words.size() > 2
                                        && words.get(2).equals("CHARACTERISTICS"));
        return control ? first + (second.isEmpty() ? "" : " " + second) : null;
    }

    /** The statements of {@code sql} with comments blanked, empty ones (a trailing {@code ;}) left out. */
    static List<String> statements(String sql) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end;
                current.append(' ');
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = endOfBlockComment(sql, i);
                current.append(' ');
            } else if (c == '\'') {
                boolean escapes = i > 0
                        && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
                        && (i < 2 || !isWordChar(sql.charAt(i - 2)));
                int end = endOfQuoted(sql, i, '\'', escapes);
                current.append(sql, i, end);
                i = end;
            } else if (c == '"') {
                int end = endOfQuoted(sql, i, '"', false);
                current.append(sql, i, end);
                i = end;
            } else if (c == '$' && (i == 0 || !isWordChar(sql.charAt(i - 1))) && dollarTag(sql, i) != null) {
                String tag = dollarTag(sql, i);
                int close = sql.indexOf(tag, i + tag.length());
                if (close < 0) {
                    throw unterminated("dollar quote " + tag, sql);
                }
                int end = close + tag.length();
                current.append(sql, i, end);
                i = end;
            } else if (c == ';') {
                add(statements, current);
                current.setLength(0);
                i++;
            } else {
                current.append(c);
                i++;
            }
        }
        add(statements, current);
        return statements;
    }

    private static void add(List<String> statements, StringBuilder statement) {
        if (!statement.toString().isBlank()) {
            statements.add(statement.toString().strip());
        }
    }

    /** The first words of a statement, upper-cased, after any opening parentheses. */
    private static List<String> leadingWords(String statement) {
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < statement.length() && words.size() < 3) {
            char c = statement.charAt(i);
            if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < statement.length() && isWordChar(statement.charAt(i))) {
                    i++;
                }
                words.add(statement.substring(start, i).toUpperCase(Locale.ROOT));
            } else if (Character.isWhitespace(c) || c == '(' && words.isEmpty()) {
                i++;
            } else {
                break;
            }
        }
        return words;
    }

    private static int endOfBlockComment(String sql, int start) {
        int depth = 0;
        int i = start;
        while (i < sql.length()) {
            if (sql.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (sql.startsWith("*/", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        throw unterminated("comment", sql);
    }

    /** The index just past the quoted text opening at {@code start}; a doubled quote stays inside. */
    private static int endOfQuoted(String sql, int start, char quote, boolean backslashEscapes) {
        int i = start + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        throw unterminated(quote == '\'' ? "string" : "quoted identifier", sql);
    }

    /** {@code $tag$} (or {@code $$}) opening at {@code start}, or null ({@code $1} is a parameter). */
    private static String dollarTag(String sql, int start) {
        int i = start + 1;
        if (i < sql.length() && (Character.isLetter(sql.charAt(i)) || sql.charAt(i) == '_')) {
            while (i < sql.length() && isWordChar(sql.charAt(i)) && sql.charAt(i) != '$') {
                i++;
            }
        }
        return i < sql.length() && sql.charAt(i) == '$' ? sql.substring(start, i + 1) : null;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static IllegalArgumentException unterminated(String what, String sql) {
        return new IllegalArgumentException(
                "native SQL from a repository has an unterminated " + what + ": " + abbreviate(sql));
    }

    private static String abbreviate(String sql) {
        String oneLine = sql.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
    }
}
