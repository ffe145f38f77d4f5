package dev.procflux.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A growable byte array with a hard limit: captured output that can never exhaust the heap. Not thread-safe:
 * written only on the NuProcess I/O thread, read after the exit (published through the exit signal).
 */
final class BoundedBytes {
    private static final byte[] EMPTY = new byte[0];

    private final long limit;
    private final boolean truncate;
    private byte[] bytes = EMPTY;
    private int size;
    private boolean truncated;

    BoundedBytes(long limit, boolean truncate) {
        this.limit = Math.min(limit, Integer.MAX_VALUE - 16);
        this.truncate = truncate;
    }

    /** Consumes all of {@code buffer}. @return {@code false} when the limit is exceeded and truncation is off */
    boolean append(ByteBuffer buffer) {
        int n = buffer.remaining();
        long room = limit - size;
        if (n > room) {
            if (!truncate) {
                buffer.position(buffer.limit());
                return false;
            }
            truncated = true;
            int keep = (int) room;
            write(buffer, keep);
            buffer.position(buffer.limit());
            return true;
        }
        write(buffer, n);
        return true;
    }

    private void write(ByteBuffer buffer, int n) {
        if (n == 0) {
            return;
        }
        if (size + n > bytes.length) {
            long grown = Math.max((long) size + n, Math.max(256, (long) bytes.length * 2));
            bytes = Arrays.copyOf(bytes, (int) Math.min(grown, limit));
        }
        buffer.get(bytes, size, n);
        size += n;
    }

    byte[] toArray() {
        return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }

    boolean isTruncated() {
        return truncated;
    }
}
