package dev.procflux.internal;

import java.nio.ByteBuffer;

/** Byte-buffer moves shared by the stdin writers. */
final class Buffers {
    private Buffers() {
    }

    /** Copies as much of {@code from} as fits into {@code to}, advancing both. @return the bytes copied */
    static int transfer(ByteBuffer from, ByteBuffer to) {
        int n = Math.min(from.remaining(), to.remaining());
        ByteBuffer slice = from.slice();
        slice.limit(n);
        to.put(slice);
        from.position(from.position() + n);
        return n;
    }
}
