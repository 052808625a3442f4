package dev.eryao.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevisionWriterTest {
    @TempDir
    Path db;

    private static Clock at(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }

    @BeforeEach
    void revisionsFolderLikeTheProjects() throws IOException {
        Files.createDirectories(db.resolve("migration"));
        Files.writeString(db.resolve("migration/V20260411_0001__initial_llm_schema.sql"), "SELECT 1;");
    }

    @Test
    void twoRevisionsOnTheSameDayGetTheNextNumbersAndANewDayStartsAgain() {
        RevisionWriter today = new RevisionWriter(db, at("2026-11-24T09:00:00Z"));

        RevisionWriter.Written first = today.write("add user preferences table");
        RevisionWriter.Written second = today.write("Index sessions by title!");
        RevisionWriter.Written tomorrow = new RevisionWriter(db, at("2026-11-25T00:00:01Z")).write("x");

        assertThat(first.id()).isEqualTo("20261124_0001");
        assertThat(first.upgrade())
                .hasFileName("V20261124_0001__add_user_preferences_table.sql")
                .exists();
        assertThat(first.downgrade())
                .isEqualTo(db.resolve("downgrade/V20261124_0001__add_user_preferences_table.sql"))
                .exists();
        assertThat(second.id()).isEqualTo("20261124_0002");
        assertThat(second.slug()).isEqualTo("index_sessions_by_title");
        assertThat(tomorrow.id()).isEqualTo("20261125_0001");
    }

    @Test
    void aNewRevisionIsReadByTheCatalogAndItsEmptyDowngradeCountsAsMissing() throws IOException {
        RevisionWriter.Written written = new RevisionWriter(db, at("2026-11-24T09:00:00Z")).write("add things");

        String upgrade = Files.readString(written.upgrade());
        assertThat(upgrade).startsWith("-- 20261124_0001 add_things: add things");
        assertThat(Revision.parse(written.upgrade().getFileName().toString())).isNotNull();
        assertThat(RevisionCatalog.hasStatements(Files.readString(written.downgrade())))
                .isFalse();
    }

    @Test
    void aMessageWithoutLettersOrDigitsIsRefused() {
        RevisionWriter writer = new RevisionWriter(db, at("2026-11-24T09:00:00Z"));

        assertThatThrownBy(() -> writer.write(" !! "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("letters or digits");
    }

    @Test
    void aMissingRevisionsFolderIsReportedWithWhatToDo() {
        RevisionWriter writer = new RevisionWriter(db.resolve("elsewhere"), at("2026-11-24T09:00:00Z"));

        assertThatThrownBy(() -> writer.write("x")).hasMessageContaining("run from the project root, or pass --dir");
    }
}
