package dev.eryao.cli;

import dev.eryao.cli.doctor.Doctor;
import dev.eryao.cli.doctor.DoctorContext;
import dev.eryao.cli.doctor.Finding;
import dev.eryao.core.config.Settings;
import dev.eryao.core.config.SettingsException;
import dev.eryao.core.db.Database;
import dev.eryao.core.db.DatabaseUnavailableException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eryao doctor}: checks the configured deployment, one line per check; exit 1 on any ✗. */
@Command(
        name = "doctor",
        description = {
            "Check the configured database and keys, one line each (✓ fine, ⚠ worth a look, ✗ broken, with the fix).",
            "Exit 1 on any ✗. Run it first against a new Supabase project."
        })
final class DoctorCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Settings settings;
        try {
            settings = main.settings();
        } catch (SettingsException e) {
            // The message names the variable and never its value: a check's line like any other.
            out.println(Finding.failed(
                            e.getMessage(),
                            "correct that variable (in the environment or .env);"
                                    + " nothing else can be checked until the settings are read")
                    .line("settings"));
            return Main.FAILED;
        }
        Database database;
        try {
            database = Database.open(settings);
        } catch (DatabaseUnavailableException e) {
            out.println(Finding.failed(
                            e.getMessage(),
                            "check ERYAO_DATABASE__HOST, __PORT, __USER and __PASSWORD;"
                                    + " Supabase's pooler: port 5432 (session) or 6543 (transaction), user postgres.<ref>")
                    .line("database"));
            return Main.FAILED;
        }
        try (database) {
            boolean healthy = new Doctor(Doctor.standardChecks()).run(new DoctorContext(settings, database), out);
            return healthy ? Main.OK : Main.FAILED;
        }
    }
}
