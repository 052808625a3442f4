package dev.eryao.core.config;

/** libpq's {@code sslmode} values, passed to pgjdbc as they are. */
public enum SslMode {
    DISABLE,
    ALLOW,
    PREFER,
    REQUIRE,
    VERIFY_CA,
    VERIFY_FULL;

    /** The spelling pgjdbc and libpq accept, such as {@code verify-full}. */
    public String pgValue() {
        return VariableReader.word(this);
    }
}
