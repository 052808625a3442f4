package dev.eryao.worker;

import static dev.eryao.services.RunService.PAGE_BYTES;
import static dev.eryao.services.RunService.PAGE_PIECES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.auth.CurrentUser;
import dev.eryao.models.RunStatus;
import dev.eryao.services.DeltaView;
import dev.eryao.services.NotFoundException;
import dev.eryao.services.RunEvents;
import dev.eryao.services.RunService;
import dev.eryao.services.StreamPosition;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pages a run's event stream reads its backlog in, read through the service as the stream
 * reads them: whatever the backlog's length and its pieces' sizes, a page holds at most
 * {@link RunService#PAGE_PIECES} pieces and {@link RunService#PAGE_BYTES} bytes of text (a larger
 * piece comes alone), no page stops short of what fits, the pages hold every piece once and in
 * order, and only the page that reaches the end carries the run.
 */
class RunBacklogPagesTest {
    /** Three bytes of UTF-8 in one char, four in two: a bound in chars would let a page hold more bytes. */
    private static final String WIDE = "ab€😀";
    /** A piece of about 60 KiB of UTF-8, a few to a page. */
    private static final String LARGE = WIDE.repeat(60 * 1024 / utf8(WIDE));
    /** A piece larger than a whole page, as a piece can be today. */
    private static final String OVERSIZED = "é".repeat(PAGE_BYTES * 5 / 8);

    private final RunFixture fixture = new RunFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void everyPageOfALongBacklogIsBoundedAndThePagesHoldEveryPieceOnceInOrder() {
        RunFixture.Owner owner = fixture.owner(1_000);
        StoredAnswer answer = StoredAnswer.start(fixture, owner);
        List<String> pieces = new ArrayList<>();
        IntStream.range(0, PAGE_PIECES + 100).forEach(i -> pieces.add("piece " + i + " é€😀; "));
        IntStream.range(0, 12).forEach(i -> pieces.add(LARGE));
        pieces.add(OVERSIZED);
        IntStream.range(0, 30).forEach(i -> pieces.add("after " + i + "; "));
        answer.write(pieces);

        List<RunEvents> pages = readAsAStreamDoes(owner.user(), answer.runId(), null);

        assertBoundedAndFull(pages);
        assertThat(texts(pages)).containsExactlyElementsOf(pieces);
        assertThat(indices(pages))
                .as("every piece once, in order")
                .containsExactlyElementsOf(
                        IntStream.range(0, pieces.size()).boxed().toList());
        assertThat(pages)
                .anySatisfy(page ->
                        assertThat(page.deltas()).extracting(DeltaView::text).containsExactly(OVERSIZED));
        assertThat(pages.getLast().run().status()).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void onlyThePageThatReachesTheEndCarriesTheFinishedRunAndAResumeStartsAfterItsPiece() {
        RunFixture.Owner owner = fixture.owner(1_000);
        StoredAnswer answer = StoredAnswer.start(fixture, owner);
        List<String> pieces =
                IntStream.range(0, 20).mapToObj(i -> i + ":" + LARGE).toList();
        answer.write(pieces);
        answer.succeed(String.join("", pieces));

        List<RunEvents> pages = readAsAStreamDoes(owner.user(), answer.runId(), null);
        List<RunEvents> resumed = readAsAStreamDoes(owner.user(), answer.runId(), new StreamPosition(1, 6));

        assertBoundedAndFull(pages);
        assertThat(pages).hasSizeGreaterThan(1);
        assertThat(pages.subList(0, pages.size() - 1))
                .allSatisfy(page -> assertThat(page.run())
                        .as("the finished run waits for the last piece")
                        .isNull());
        assertThat(pages.getLast().run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(pages.getLast().run().output()).isEqualTo(String.join("", pieces));
        assertThat(texts(pages)).containsExactlyElementsOf(pieces);
        assertBoundedAndFull(resumed);
        assertThat(indices(resumed))
                .containsExactlyElementsOf(IntStream.range(7, 20).boxed().toList());
        assertThat(resumed.getLast().run().status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void anotherOwnerGetsNoPageOfARun() {
        RunFixture.Owner owner = fixture.owner(1_000);
        StoredAnswer answer = StoredAnswer.start(fixture, owner);
        answer.write(List.of("mine", "alone"));
        CurrentUser stranger = fixture.owner(1_000).user();

        RunEvents page = fixture.app.runs().piecesAfter(stranger, answer.runId(), new StreamPosition(1, 0));

        assertThat(page.deltas()).isEmpty();
        assertThat(page.more()).isFalse();
        assertThatThrownBy(() -> fixture.app.runs().eventsAfter(stranger, answer.runId(), null))
                .isInstanceOf(NotFoundException.class);
    }

    /**
     * The pages in the order the event stream reads them (RunRoutes#follow): the first with the
     * run, the next ones at once while more are stored, and once caught up the run again, until a
     * page carries it.
     */
    private List<RunEvents> readAsAStreamDoes(CurrentUser user, UUID runId, StreamPosition after) {
        RunService runs = fixture.app.runs();
        List<RunEvents> pages = new ArrayList<>();
        StreamPosition position = after;
        RunEvents page = runs.eventsAfter(user, runId, position);
        while (true) {
            pages.add(page);
            position =
                    page.deltas().isEmpty() ? position : page.deltas().getLast().position();
            if (page.more()) {
                page = runs.piecesAfter(user, runId, position);
            } else if (page.run() == null) {
                page = runs.eventsAfter(user, runId, position);
            } else {
                return pages;
            }
        }
    }

    /**
     * No page holds more than the bounds (a piece larger than a page comes alone), and none stops
     * short: a page with more after it is full by count, or the next piece would not fit.
     */
    private static void assertBoundedAndFull(List<RunEvents> pages) {
        for (int i = 0; i < pages.size(); i++) {
            RunEvents page = pages.get(i);
            int bytes =
                    page.deltas().stream().mapToInt(delta -> utf8(delta.text())).sum();
            assertThat(page.deltas()).as("page %d", i).hasSizeLessThanOrEqualTo(PAGE_PIECES);
            if (page.deltas().size() > 1) {
                assertThat(bytes).as("bytes of page %d", i).isLessThanOrEqualTo(PAGE_BYTES);
            }
            if (page.more()) {
                assertThat(page.run()).isNull();
                int next = utf8(pages.get(i + 1).deltas().getFirst().text());
                assertThat(page.deltas().size() == PAGE_PIECES || bytes + next > PAGE_BYTES)
                        .as(
                                "page %d (%d pieces, %d bytes) is full",
                                i, page.deltas().size(), bytes)
                        .isTrue();
            }
        }
    }

    private static List<String> texts(List<RunEvents> pages) {
        return pages.stream()
                .flatMap(page -> page.deltas().stream())
                .map(DeltaView::text)
                .toList();
    }

    private static List<Integer> indices(List<RunEvents> pages) {
        return pages.stream()
                .flatMap(page -> page.deltas().stream())
                .map(DeltaView::index)
                .toList();
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
