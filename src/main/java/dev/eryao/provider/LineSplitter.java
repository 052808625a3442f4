package dev.eryao.provider;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts a body of server-sent events into lines as its bytes arrive, as the format defines them: a
 * line ends at {@code \n}, {@code \r\n} or {@code \r} (a {@code \r\n} split between two reads is one
 * end), and a byte-order mark before the first line is dropped. A line is decoded as UTF-8 once it
 * is whole, so a character split between reads is decoded whole ({@code \n} and {@code \r} never
 * occur inside a multi-byte character); bytes that are not UTF-8 become U+FFFD.
 *
 * <p>A line longer than {@code maxLineBytes} is refused as soon as it passes the bound, before its
 * end has come: what a body without line ends can make us hold is one bound, not the body.
 *
 * <p>Use: {@link #add} the next bytes, then take {@link #next()} until it returns null, then add
 * more; at the body's end {@link #rest()} is the last line if it had no end.
 */
final class LineSplitter {
    /** A line passed the bound before it ended. */
    static final class LineTooLongException extends RuntimeException {
        LineTooLongException(int maxLineBytes) {
            super("a line of more than " + maxLineBytes + " bytes");
        }
    }

    private static final int INITIAL_CAPACITY = 256;
    private static final byte[] BYTE_ORDER_MARK = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final int maxLineBytes;
    private byte[] line = new byte[INITIAL_CAPACITY];
    private int length;
    private ByteBuffer pending = ByteBuffer.allocate(0);
    /** The last line ended with {@code \r}: a {@code \n} right after it is part of that end. */
    private boolean afterCarriageReturn;

    private boolean firstLine = true;
    private int lastLineBytes;

    LineSplitter(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    /** The next bytes of the body; the previous ones must have been taken ({@link #next()} returned null). */
    void add(ByteBuffer bytes) {
        if (pending.hasRemaining()) {
            throw new IllegalStateException("the previous bytes have not all been taken");
        }
        pending = bytes.duplicate();
    }

    /**
     * The next whole line, without its end, or null when the bytes added so far hold no more.
     *
     * @throws LineTooLongException when the line being gathered passes the bound
     */
    String next() {
        while (pending.hasRemaining()) {
            int start = pending.position();
            if (afterCarriageReturn) {
                afterCarriageReturn = false;
                if (pending.get(start) == '\n') {
                    pending.position(start + 1);
                    continue;
                }
            }
            int end = start;
            int limit = pending.limit();
            while (end < limit && pending.get(end) != '\n' && pending.get(end) != '\r') {
                end++;
            }
            append(start, end);
            if (end == limit) {
                pending.position(end);
                return null;
            }
            afterCarriageReturn = pending.get(end) == '\r';
            pending.position(end + 1);
            return take();
        }
        return null;
    }

    /** At the body's end: the last line when it had no end of its own, else null. */
    String rest() {
        return length == 0 ? null : take();
    }

    /** The bytes of the line {@link #next()} or {@link #rest()} last returned, without its end. */
    int lastLineBytes() {
        return lastLineBytes;
    }

    private void append(int start, int end) {
        int count = end - start;
        if (count == 0) {
            return;
        }
        if (count > maxLineBytes - length) {
            throw new LineTooLongException(maxLineBytes);
        }
        if (length + count > line.length) {
            line = Arrays.copyOf(line, (int) Math.min(maxLineBytes, Math.max(2L * line.length, length + count)));
        }
        pending.get(start, line, length, count);
        length += count;
    }

    private String take() {
        int from = 0;
        if (firstLine && length >= 3 && Arrays.equals(line, 0, 3, BYTE_ORDER_MARK, 0, 3)) {
            from = 3;
        }
        firstLine = false;
        String text = new String(line, from, length - from, StandardCharsets.UTF_8);
        lastLineBytes = length;
        length = 0;
        return text;
    }
}
