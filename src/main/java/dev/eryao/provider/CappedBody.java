package dev.eryao.provider;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A body read whole (an error, or an answer that was not streamed), counted as it arrives: at most
 * {@code keep} bytes are kept, and more than {@code limit} in all is refused, so a body that never
 * ends costs one bound of memory and is not read past it.
 */
final class CappedBody {
    private final long limit;
    private final int keep;
    private byte[] kept = new byte[1024];
    private int length;
    private long received;

    CappedBody(long limit, int keep) {
        this.limit = limit;
        this.keep = keep;
    }

    /** A body kept whole up to its limit. */
    static CappedBody whole(long limit) {
        return new CappedBody(limit, (int) Math.min(limit, Integer.MAX_VALUE - 8));
    }

    /** Adds the next bytes; false once the body has passed its limit. */
    boolean add(ByteBuffer bytes) {
        int count = bytes.remaining();
        received += count;
        if (received > limit) {
            return false;
        }
        int taken = Math.min(count, keep - length);
        if (taken > 0) {
            if (length + taken > kept.length) {
                kept = Arrays.copyOf(kept, (int) Math.min(keep, Math.max(2L * kept.length, length + taken)));
            }
            bytes.duplicate().get(kept, length, taken);
            length += taken;
        }
        return true;
    }

    /** What was kept, as UTF-8 (a character cut at the end becomes U+FFFD). */
    String text() {
        return new String(kept, 0, length, StandardCharsets.UTF_8);
    }
}
