package dev.eryao.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Server-sent-event lines cut from bytes as they arrive, however the reads fall. */
class LineSplitterTest {
    private static final int BOUND = 64;

    /** Feeds {@code body} cut at {@code cuts} (byte offsets), returning every line, the unterminated last one included. */
    private static List<String> lines(byte[] body, int... cuts) {
        LineSplitter splitter = new LineSplitter(BOUND);
        List<String> lines = new ArrayList<>();
        int from = 0;
        int[] ends = Arrays.copyOf(cuts, cuts.length + 1);
        ends[cuts.length] = body.length;
        for (int end : ends) {
            splitter.add(ByteBuffer.wrap(body, from, end - from).asReadOnlyBuffer());
            for (String line = splitter.next(); line != null; line = splitter.next()) {
                lines.add(line);
            }
            from = end;
        }
        String rest = splitter.rest();
        if (rest != null) {
            lines.add(rest);
        }
        return lines;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void linesEndAtLineFeedCarriageReturnLineFeedOrCarriageReturnAndBlankLinesAreKept() {
        assertThat(lines(utf8("data: a\n\ndata: b\r\n\r\ndata: c\r\rlast")))
                .containsExactly("data: a", "", "data: b", "", "data: c", "", "last");
    }

    @Test
    void aCarriageReturnLineFeedSplitBetweenReadsIsOneEnd() {
        byte[] body = utf8("one\r\ntwo\r\n");
        assertThat(lines(body, 4)).containsExactly("one", "two");
        assertThat(lines(body, 3, 4, 5)).containsExactly("one", "two");
    }

    @Test
    void aCharacterSplitBetweenReadsIsDecodedWhole() {
        byte[] body = utf8("é€😀\n");
        for (int cut = 1; cut < body.length - 1; cut++) {
            assertThat(lines(body, cut)).as("cut at byte %d", cut).containsExactly("é€😀");
        }
        assertThat(lines(body, 1, 2, 3, 4, 5, 6, 7, 8)).containsExactly("é€😀");
    }

    @Test
    void aLineLongerThanTheBoundIsRefusedBeforeItsEndArrives() {
        LineSplitter splitter = new LineSplitter(BOUND);
        splitter.add(ByteBuffer.wrap(utf8("x".repeat(BOUND))));
        assertThat(splitter.next())
                .as("exactly the bound is still a line being gathered")
                .isNull();
        splitter.add(ByteBuffer.wrap(utf8("x")));

        assertThatThrownBy(splitter::next)
                .isInstanceOf(LineSplitter.LineTooLongException.class)
                .hasMessageContaining(BOUND + " bytes");
    }

    @Test
    void aLineOfExactlyTheBoundIsWholeAndItsSizeKnown() {
        LineSplitter splitter = new LineSplitter(BOUND);
        splitter.add(ByteBuffer.wrap(utf8("€".repeat(BOUND / 3) + "\n")));

        assertThat(splitter.next()).isEqualTo("€".repeat(BOUND / 3));
        assertThat(splitter.lastLineBytes()).isEqualTo(BOUND / 3 * 3);
    }

    @Test
    void aByteOrderMarkIsDroppedOnlyBeforeTheFirstLine() {
        byte[] body = utf8("\uFEFFdata: a\n\uFEFFb\n");

        assertThat(lines(body, 2)).as("the mark cut between reads").containsExactly("data: a", "\uFEFFb");
    }

    @Test
    void bytesThatAreNotUtf8BecomeReplacementCharacters() {
        assertThat(lines(new byte[] {'a', (byte) 0xFF, 'b', '\n'})).containsExactly("a\uFFFDb");
    }
}
