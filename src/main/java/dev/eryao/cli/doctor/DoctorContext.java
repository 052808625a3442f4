package dev.eryao.cli.doctor;

import dev.eryao.core.config.Settings;
import dev.eryao.core.db.Database;

/**
 * What the checks look at: the settings as configured and the database opened from them, with the
 * application's own pool (so what a check sees through it is what the application sees).
 */
public record DoctorContext(Settings settings, Database database) {}
