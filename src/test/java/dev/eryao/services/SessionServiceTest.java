package dev.eryao.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Cursor;
import dev.eryao.core.db.Page;
import dev.eryao.core.db.PageRequest;
import dev.eryao.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SessionServiceTest {
    private final SessionService sessions = TestDatabase.get().app().sessions();
    private final CurrentUser alice = new CurrentUser(UUID.randomUUID(), CurrentUser.AUTHENTICATED);
    private final CurrentUser bob = new CurrentUser(UUID.randomUUID(), CurrentUser.AUTHENTICATED);

    @Test
    void anOwnerCreatesReadsRenamesAndDeletesTheirSession() {
        SessionView created = sessions.create(alice, "  Trip planning  ", null);

        assertThat(created.ownerId()).isEqualTo(alice.id());
        assertThat(created.title()).isEqualTo("Trip planning");
        assertThat(sessions.get(alice, created.id())).isEqualTo(created);

        SessionView renamed = sessions.rename(alice, created.id(), "Trip to Lisbon");
        assertThat(renamed.title()).isEqualTo("Trip to Lisbon");
        assertThat(sessions.get(alice, created.id()).title()).isEqualTo("Trip to Lisbon");

        sessions.delete(alice, created.id());
        assertThatThrownBy(() -> sessions.get(alice, created.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void anotherOwnersSessionIsNotFoundForEveryOperation() {
        SessionView alices = sessions.create(alice, "private", null);

        assertThatThrownBy(() -> sessions.get(bob, alices.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> sessions.rename(bob, alices.id(), "mine now")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> sessions.delete(bob, alices.id())).isInstanceOf(NotFoundException.class);
        assertThat(sessions.list(bob, PageRequest.newestFirst(100, null)).items())
                .isEmpty();

        assertThat(sessions.get(alice, alices.id()).title())
                .as("untouched by bob")
                .isEqualTo("private");
    }

    @Test
    void aMissingSessionAndAnotherOwnersLookTheSame() {
        SessionView alices = sessions.create(alice, "private", null);

        Throwable missing = catchNotFound(() -> sessions.get(bob, UUID.randomUUID()));
        Throwable foreign = catchNotFound(() -> sessions.get(bob, alices.id()));

        assertThat(foreign.getMessage()).isEqualTo(missing.getMessage());
    }

    @Test
    void listingPagesThroughAnOwnersSessionsNewestFirstWithoutGapsOrRepeats() {
        List<UUID> createdOldestFirst = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            createdOldestFirst.add(sessions.create(alice, "session " + i, null).id());
        }
        sessions.create(bob, "bob's", null);

        List<UUID> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        Cursor cursor = null;
        do {
            Page<SessionView> page = sessions.list(alice, PageRequest.newestFirst(2, cursor));
            page.items().forEach(s -> seen.add(s.id()));
            pageSizes.add(page.items().size());
            cursor = page.next();
        } while (cursor != null);

        assertThat(pageSizes).containsExactly(2, 2, 1);
        assertThat(seen).containsExactlyElementsOf(createdOldestFirst.reversed());
    }

    @Test
    void aCursorSurvivesItsEncodingAndGarbageIsRefused() {
        Cursor cursor = new Cursor(java.time.Instant.parse("2026-04-11T10:15:30.123456Z"), UUID.randomUUID());

        assertThat(Cursor.decode(cursor.encode())).isEqualTo(cursor);
        assertThatThrownBy(() -> Cursor.decode("not-a-cursor")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEmptyOrTooLongTitleIsRefusedAndNothingIsWritten() {
        assertThatThrownBy(() -> sessions.create(alice, "  ", null))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e ->
                        assertThat(((InvalidInputException) e).fieldErrors()).containsKey("title"));
        assertThatThrownBy(() -> sessions.create(alice, "x".repeat(201), null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("at most 200");

        assertThat(sessions.list(alice, PageRequest.newestFirst(10, null)).items())
                .isEmpty();
    }

    @Test
    void aSessionCannotNameAModelThatDoesNotExist() {
        assertThatThrownBy(() -> sessions.create(alice, "chat", UUID.randomUUID()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("llm_id");

        assertThat(sessions.list(alice, PageRequest.newestFirst(10, null)).items())
                .isEmpty();
    }

    private static Throwable catchNotFound(Runnable call) {
        try {
            call.run();
        } catch (NotFoundException e) {
            return e;
        }
        throw new AssertionError("expected NotFoundException");
    }
}
