package dev.procflux.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * One stream of a job's output, held until it is printed: on the heap up to {@link #MEMORY_LIMIT} bytes, beyond
 * that in a temporary file, so a job may write any amount while the heap stays bounded.
 *
 * <p>Not thread-safe: appended by one thread at a time (the engine's delivery of one job), then printed and
 * deleted by the output thread after the job ended.
 */
final class Spool {
    /** Bytes held on the heap per stream before the rest goes to a temporary file. */
    static final int MEMORY_LIMIT = 64 * 1024;
    static final Spool EMPTY = new Spool(new byte[0]);

    private final ByteArrayOutputStream memory;
    private @Nullable Path file;
    private @Nullable OutputStream fileOut;
    private long size;

    Spool() {
        memory = new ByteArrayOutputStream();
    }

    private Spool(byte[] bytes) {
        memory = new ByteArrayOutputStream(bytes.length);
        memory.write(bytes, 0, bytes.length);
        size = bytes.length;
    }

    static Spool of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Spool(bytes);
    }

    /** @throws UncheckedIOException when the temporary file cannot be written (disk full) */
    void append(byte[] bytes) {
        size += bytes.length;
        try {
            if (fileOut == null && memory.size() + bytes.length <= MEMORY_LIMIT) {
                memory.write(bytes, 0, bytes.length);
                return;
            }
            if (fileOut == null) {
                Path f = Files.createTempFile("procflux-output-", ".spool");
                f.toFile().deleteOnExit();
                file = f;
                fileOut = Files.newOutputStream(f);
            }
            fileOut.write(bytes);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot spool job output to a temporary file: " + e.getMessage(), e);
        }
    }

    long size() {
        return size;
    }

    /** Writes everything appended, in order, through {@code sink}; the spool stays readable until deleted. */
    void writeTo(ChunkSink sink) throws IOException {
        byte[] bytes = memory.toByteArray();
        if (bytes.length > 0) {
            sink.write(bytes, 0, bytes.length);
        }
        if (fileOut != null && file != null) {
            fileOut.flush();
            try (InputStream in = Files.newInputStream(file)) {
                byte[] chunk = new byte[64 * 1024];
                for (int n = in.read(chunk); n > 0; n = in.read(chunk)) {
                    sink.write(chunk, 0, n);
                }
            }
        }
    }

    /** @return everything appended, on the heap (for the few consumers that need the bytes whole) */
    byte[] toByteArray() {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream((int) Math.min(size, Integer.MAX_VALUE));
        try {
            writeTo(all::write);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read back spooled job output: " + e.getMessage(), e);
        }
        return all.toByteArray();
    }

    /** Frees the heap and removes the temporary file, if any. */
    void delete() {
        memory.reset();
        try {
            if (fileOut != null) {
                fileOut.close();
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        }
        catch (IOException e) {
            // deleteOnExit removes it at the latest when procflux exits
        }
    }

    /** Where {@link #writeTo(ChunkSink)} puts the bytes. */
    interface ChunkSink {
        void write(byte[] bytes, int offset, int length) throws IOException;
    }
}
