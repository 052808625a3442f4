package dev.eryao.services;

/**
 * Text as PostgreSQL can store it: its text types refuse U+0000, so a model answer or a provider's
 * error that contains one has it replaced with U+FFFD (the replacement character) instead of
 * failing the run's recording. Text from clients is refused instead ({@code Validation}).
 */
final class StorableText {
    private StorableText() {}

    static String of(String text) {
        return text == null || text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
    }
}
