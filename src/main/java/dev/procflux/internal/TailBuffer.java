package dev.procflux.internal;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;

/**
 * Keeps the last bytes written to it (a ring), for error messages such as "stderr ends with ...". Not
 * thread-safe: written on the I/O thread, read after the exit.
 */
final class TailBuffer {
    private final byte[] ring;
    private long written;

    TailBuffer(int capacity) {
        this.ring = new byte[capacity];
    }

    void append(ByteBuffer buffer) {
        while (buffer.hasRemaining()) {
            int at = (int) (written % ring.length);
            int n = Math.min(buffer.remaining(), ring.length - at);
            buffer.get(ring, at, n);
            written += n;
        }
    }

    void append(byte[] bytes) {
        append(ByteBuffer.wrap(bytes));
    }

    String text(Charset charset) {
        if (written <= ring.length) {
            return new String(ring, 0, (int) written, charset);
        }
        int at = (int) (written % ring.length);
        byte[] ordered = new byte[ring.length];
        System.arraycopy(ring, at, ordered, 0, ring.length - at);
        System.arraycopy(ring, 0, ordered, ring.length - at, at);
        return "..." + new String(ordered, charset);
    }
}
