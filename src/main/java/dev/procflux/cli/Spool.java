package dev.procflux.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;

/**
 * One stream of a job's output, held until it is printed: on the heap up to {@link #MEMORY_LIMIT} bytes while its
 * {@link SpoolStore}'s shared heap budget lasts, beyond that in a file of the store, so a job may write any amount
 * and any number of jobs may wait to be printed while the heap stays bounded.
 *
 * <p>Not thread-safe: appended and sealed by one thread at a time (the engine's delivery of one job), then printed
 * and deleted by the output thread after the job ended; the reactive chain between them orders these.
 */
final class Spool implements ChunkSource {
    /** Bytes held on the heap per stream before the rest goes to a file. */
    static final int MEMORY_LIMIT = 64 * 1024;
    static final Spool EMPTY = new Spool(new byte[0]);

    // null for a spool of fixed bytes, which takes no more
    private final @Nullable SpoolStore store;
    private final ByteArrayOutputStream memory;
    private @Nullable Path file;
    // open while the job writes; closed by seal() so that a spool waiting to be printed holds no descriptor
    private @Nullable OutputStream fileOut;
    private long size;

    Spool(SpoolStore store) {
        this.store = store;
        memory = new ByteArrayOutputStream();
    }

    private Spool(byte[] bytes) {
        store = null;
        memory = new ByteArrayOutputStream(bytes.length);
        memory.write(bytes, 0, bytes.length);
        size = bytes.length;
    }

    /** @return a spool holding {@code bytes} on the heap, outside any store's budget (for tests and messages) */
    static Spool of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Spool(bytes);
    }

    /** @throws UncheckedIOException when the file cannot be written (disk full) */
    void append(byte[] bytes) {
        SpoolStore s = store;
        if (s == null) {
            throw new IllegalStateException("a spool of fixed bytes takes no more");
        }
        size += bytes.length;
        try {
            if (file == null && memory.size() + bytes.length <= MEMORY_LIMIT && s.reserve(bytes.length)) {
                memory.write(bytes, 0, bytes.length);
                return;
            }
            OutputStream o = fileOut;
            if (o == null) {
                Path f = file;
                if (f == null) {
                    f = s.newFile();
                    file = f;
                }
                o = Files.newOutputStream(f, StandardOpenOption.APPEND);
                fileOut = o;
            }
            o.write(bytes);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot spool job output to a temporary file: " + e.getMessage(), e);
        }
    }

    /** Closes the file, if any, until the next {@link #append}: a spool that waits holds no file descriptor. */
    void seal() {
        OutputStream o = fileOut;
        fileOut = null;
        if (o != null) {
            try {
                o.close();
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot spool job output to a temporary file: " + e.getMessage(), e);
            }
        }
    }

    long size() {
        return size;
    }

    /** Writes everything appended, in order, through {@code sink}; the spool stays readable until deleted. */
    @Override
    public void writeTo(ChunkSink sink) throws IOException {
        byte[] bytes = memory.toByteArray();
        if (bytes.length > 0) {
            sink.write(bytes, 0, bytes.length);
        }
        Path f = file;
        if (f != null) {
            if (fileOut != null) {
                fileOut.flush();
            }
            try (InputStream in = Files.newInputStream(f)) {
                byte[] chunk = new byte[64 * 1024];
                for (int n = in.read(chunk); n > 0; n = in.read(chunk)) {
                    sink.write(chunk, 0, n);
                }
            }
        }
    }

    /**
     * Writes everything appended into the file {@code target}, created or replaced: the heap part, then the file
     * part copied by the file system ({@link FileChannel#transferTo}), so that output of any size never passes
     * through the heap whole.
     */
    void copyTo(Path target) throws IOException {
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer held = ByteBuffer.wrap(memory.toByteArray());
            while (held.hasRemaining()) {
                out.write(held);
            }
            Path f = file;
            if (f == null) {
                return;
            }
            if (fileOut != null) {
                fileOut.flush();
            }
            try (FileChannel in = FileChannel.open(f, StandardOpenOption.READ)) {
                long length = in.size();
                for (long position = 0; position < length; ) {
                    position += in.transferTo(position, length - position, out);
                }
            }
        }
    }

    /** Frees the heap, giving it back to the store's budget, and removes the file, if any. */
    void delete() {
        SpoolStore s = store;
        if (s == null) {
            return;
        }
        s.release(memory.size());
        memory.reset();
        try {
            seal();
            Path f = file;
            file = null;
            if (f != null) {
                Files.deleteIfExists(f);
            }
        }
        catch (IOException | UncheckedIOException e) {
            // the store removes its directory, with this file, when the run ends
        }
    }

    /** Where {@link #writeTo(ChunkSink)} puts the bytes. */
    interface ChunkSink {
        void write(byte[] bytes, int offset, int length) throws IOException;
    }
}
