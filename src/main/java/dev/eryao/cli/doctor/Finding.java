package dev.eryao.cli.doctor;

/**
 * What one check found: a status, one line saying what was seen, and for anything short of
 * {@link Status#OK} the fix. Neither line ever holds a password, key or token.
 *
 * @param fix what to do, or null when nothing needs doing
 */
public record Finding(Status status, String message, String fix) {
    public enum Status {
        OK("✓"),
        WARNING("⚠"),
        FAILED("✗");

        private final String mark;

        Status(String mark) {
            this.mark = mark;
        }

        public String mark() {
            return mark;
        }
    }

    public static Finding ok(String message) {
        return new Finding(Status.OK, message, null);
    }

    public static Finding warning(String message, String fix) {
        return new Finding(Status.WARNING, message, fix);
    }

    public static Finding failed(String message, String fix) {
        return new Finding(Status.FAILED, message, fix);
    }

    /** The line {@code doctor} prints for this finding of check {@code name}. */
    public String line(String name) {
        return status.mark() + " " + name + ": " + message + (fix == null ? "" : " — fix: " + fix);
    }
}
