package dev.eryao.cli.doctor;

/** The server's version: Supabase runs PostgreSQL 15 on many projects and 17 on new ones. */
final class ServerVersionCheck implements Check {
    static final int OLDEST_SUPPORTED = 15;

    @Override
    public String name() {
        return "server";
    }

    @Override
    public Finding run(DoctorContext context) throws Exception {
        record Version(int number, String text) {}
        Version version = Sql.one(
                context.database().dataSource(),
                "SELECT current_setting('server_version_num')::int, current_setting('server_version')",
                row -> new Version(row.getInt(1), row.getString(2)));
        String seen = "PostgreSQL " + version.text();
        if (version.number() / 10_000 < OLDEST_SUPPORTED) {
            return Finding.failed(
                    seen + ", older than " + OLDEST_SUPPORTED,
                    "use PostgreSQL " + OLDEST_SUPPORTED + " or newer (Supabase: Settings > Infrastructure > upgrade)");
        }
        return Finding.ok(seen);
    }
}
