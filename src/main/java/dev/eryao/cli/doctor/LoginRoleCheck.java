package dev.eryao.cli.doctor;

/**
 * The backend's own login: the seed's "service-role DB access only" means it reads and writes past
 * RLS, so it must bypass RLS (Supabase's {@code postgres} has {@code BYPASSRLS}). A superuser works
 * but is more than it needs, and is not what Supabase hands out: a warning.
 */
final class LoginRoleCheck implements Check {
    @Override
    public String name() {
        return "login";
    }

    @Override
    public Finding run(DoctorContext context) throws Exception {
        record Role(String name, boolean superuser, boolean bypassRls) {}
        Role role = Sql.one(
                context.database().dataSource(),
                "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
                row -> new Role(row.getString(1), row.getBoolean(2), row.getBoolean(3)));
        if (role.superuser()) {
            return Finding.warning(
                    role.name() + " is a superuser (bypasses RLS)",
                    "a login with BYPASSRLS and no superuser is enough, as Supabase's postgres is");
        }
        if (!role.bypassRls()) {
            return Finding.failed(
                    role.name() + " does not bypass RLS, so the backend would see no rows",
                    "log in as the project's postgres (BYPASSRLS), or ALTER ROLE " + role.name() + " BYPASSRLS");
        }
        return Finding.ok(role.name() + " bypasses RLS and is not a superuser");
    }
}
