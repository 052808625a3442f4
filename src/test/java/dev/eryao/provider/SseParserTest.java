package dev.eryao.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Server-sent events from their lines, as the format's interpretation rules say. */
class SseParserTest {
    private static final int BOUND = 64;

    private final List<SseEvent> events = new ArrayList<>();
    private final List<String> comments = new ArrayList<>();
    private final SseParser parser = new SseParser(BOUND, new SseParser.Listener() {
        @Override
        public void onEvent(SseEvent event) {
            events.add(event);
        }

        @Override
        public void onComment(String text) {
            comments.add(text);
        }
    });

    private void lines(String... lines) {
        for (String line : lines) {
            parser.line(line);
        }
    }

    @Test
    void dataLinesAreJoinedWithLineFeedsAndOnlyABlankLineDispatches() {
        lines("data: one", "data: two", "data:");
        assertThat(events).as("no blank line yet").isEmpty();

        lines("");

        assertThat(events).containsExactly(new SseEvent("message", "one\ntwo\n", null));
    }

    @Test
    void oneSpaceAfterTheColonIsDroppedAndNoMore() {
        lines("data:unspaced", "", "data:  two spaces", "", "data", "");

        assertThat(events).extracting(SseEvent::data).containsExactly("unspaced", " two spaces", "");
    }

    @Test
    void theEventFieldNamesTheTypeAndMessageIsTheDefault() {
        lines("event: status", "data: {}", "", "data: {}", "", "event:", "data: {}", "");

        assertThat(events).extracting(SseEvent::type).containsExactly("status", "message", "message");
    }

    @Test
    void anIdBelongsToItsEventAndTheLastOneIsKeptForAReconnection() {
        lines("id: 1.0", "data: a", "", "data: b", "", "id: bad\0id", "data: c", "");

        assertThat(events).extracting(SseEvent::id).containsExactly("1.0", null, null);
        assertThat(parser.lastEventId()).as("an id holding NUL is ignored").isEqualTo("1.0");
    }

    @Test
    void retryTakesOnlyDigits() {
        lines("retry: 1500");
        assertThat(parser.retryMillis()).isEqualTo(1500L);

        lines("retry: 2 s", "retry: -1", "retry:", "retry: 99999999999999999999999");

        assertThat(parser.retryMillis())
                .as("what is not a whole number of ms changes nothing")
                .isEqualTo(1500L);
        assertThat(events).isEmpty();
    }

    @Test
    void commentsGoToTheListenerAndDispatchNothing() {
        lines(": keep-alive", "", ":", "data: a", ": between", "");

        assertThat(comments).containsExactly(" keep-alive", "", " between");
        assertThat(events).containsExactly(new SseEvent("message", "a", null));
    }

    @Test
    void aBlankLineWithoutDataDispatchesNothingAndForgetsTheFieldsGathered() {
        lines("event: status", "id: 7", "", "data: a", "");

        assertThat(events).containsExactly(new SseEvent("message", "a", null));
        assertThat(parser.lastEventId()).isEqualTo("7");
    }

    @Test
    void fieldsTheFormatDoesNotDefineAreIgnored() {
        lines("Data: not data", "data : not data either", "colour: blue", "data: a", "");

        assertThat(events).containsExactly(new SseEvent("message", "a", null));
    }

    @Test
    void anEventsDataPastTheBoundIsRefusedBeforeItsBlankLine() {
        // Each line counts with its field name and its end: "data: " + 25 + "\n" is 32 bytes.
        String line = "data: " + "x".repeat(25);
        lines(line, line, "");
        assertThat(events).as("exactly the bound is an event").hasSize(1);

        lines(line, line);

        assertThatThrownBy(() -> lines("data:"))
                .isInstanceOf(SseParser.EventTooLongException.class)
                .hasMessageContaining(BOUND + " bytes");
    }

    @Test
    void theBoundCountsTheBytesTheLinesTookOnTheWire() {
        parser.line("data: a", BOUND - 1);

        assertThatThrownBy(() -> parser.line("data: b", 1)).isInstanceOf(SseParser.EventTooLongException.class);
    }

    @Test
    void theEndDispatchesAnEventWhoseBlankLineNeverCame() {
        lines("data: a", "");
        parser.end();
        assertThat(events).as("nothing was pending").hasSize(1);

        lines("event: last", "data: b");
        parser.end();

        assertThat(events).containsExactly(new SseEvent("message", "a", null), new SseEvent("last", "b", null));
    }
}
