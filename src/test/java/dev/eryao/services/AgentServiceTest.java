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

class AgentServiceTest {
    private final AgentService agents = TestDatabase.get().app().agentService();
    private final CurrentUser alice = new CurrentUser(UUID.randomUUID(), CurrentUser.AUTHENTICATED);
    private final CurrentUser bob = new CurrentUser(UUID.randomUUID(), CurrentUser.AUTHENTICATED);

    @Test
    void anOwnerCreatesReadsRenamesAndDeletesTheirSession() {
        SessionView created = agents.createSession(alice, "  Trip planning  ", null);

        assertThat(created.ownerId()).isEqualTo(alice.id());
        assertThat(created.title()).isEqualTo("Trip planning");
        assertThat(agents.getSession(alice, created.id())).isEqualTo(created);

        SessionView renamed = agents.renameSession(alice, created.id(), "Trip to Lisbon");
        assertThat(renamed.title()).isEqualTo("Trip to Lisbon");
        assertThat(agents.getSession(alice, created.id()).title()).isEqualTo("Trip to Lisbon");

        agents.deleteSession(alice, created.id());
        assertThatThrownBy(() -> agents.getSession(alice, created.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void anotherOwnersSessionIsNotFoundForEveryOperation() {
        SessionView alices = agents.createSession(alice, "private", null);

        assertThatThrownBy(() -> agents.getSession(bob, alices.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> agents.renameSession(bob, alices.id(), "mine now"))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> agents.deleteSession(bob, alices.id())).isInstanceOf(NotFoundException.class);
        assertThat(agents.listSessions(bob, PageRequest.newestFirst(100, null)).items()).isEmpty();

        assertThat(agents.getSession(alice, alices.id()).title()).as("untouched by bob").isEqualTo("private");
    }

    @Test
    void aMissingSessionAndAnotherOwnersLookTheSame() {
        SessionView alices = agents.createSession(alice, "private", null);

        Throwable missing = catchNotFound(() -> agents.getSession(bob, UUID.randomUUID()));
        Throwable foreign = catchNotFound(() -> agents.getSession(bob, alices.id()));

        assertThat(foreign.getMessage()).isEqualTo(missing.getMessage());
    }

    @Test
    void listingPagesThroughAnOwnersSessionsNewestFirstWithoutGapsOrRepeats() {
        List<UUID> createdOldestFirst = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            createdOldestFirst.add(agents.createSession(alice, "session " + i, null).id());
        }
        agents.createSession(bob, "bob's", null);

        List<UUID> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        Cursor cursor = null;
        do {
            Page<SessionView> page = agents.listSessions(alice, PageRequest.newestFirst(2, cursor));
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
        assertThatThrownBy(() -> agents.createSession(alice, "  ", null))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).fieldErrors()).containsKey("title"));
        assertThatThrownBy(() -> agents.createSession(alice, "x".repeat(201), null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("at most 200");

        assertThat(agents.listSessions(alice, PageRequest.newestFirst(10, null)).items()).isEmpty();
    }

    @Test
    void aSessionCannotNameAModelThatDoesNotExist() {
        assertThatThrownBy(() -> agents.createSession(alice, "chat", UUID.randomUUID()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("llm_id");

        assertThat(agents.listSessions(alice, PageRequest.newestFirst(10, null)).items()).isEmpty();
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
