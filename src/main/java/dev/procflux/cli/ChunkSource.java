package dev.procflux.cli;

import java.io.IOException;

/** Bytes written, in order and in as many chunks as they come in, through a {@link Spool.ChunkSink}. */
interface ChunkSource {
    void writeTo(Spool.ChunkSink sink) throws IOException;

    /** @return the source of {@code bytes[offset, offset + length)}, which must not change until written */
    static ChunkSource of(byte[] bytes, int offset, int length) {
        return sink -> sink.write(bytes, offset, length);
    }
}
