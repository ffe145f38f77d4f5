package dev.procflux.cli;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Where the {@link Spool}s of one run keep their bytes: on the heap up to a budget shared by all of them (so that
 * the heap stays bounded however many jobs' output waits to be printed, as under {@code -k} behind a slow job), the
 * rest in files of one temporary directory, which {@link #close()} removes with whatever is left in it.
 *
 * <p>Thread-safe: spools of different jobs reserve and release heap from their delivery threads and the output
 * thread; the directory is created once, under {@code this}.
 */
final class SpoolStore implements Closeable {
    /** The heap all spools of a run may hold together by default. */
    static final long HEAP_BUDGET = 8L << 20;

    private final long heapBudget;
    // bytes held on the heap by all spools; CAS via reserve(), decremented by release()
    private final AtomicLong heapUsed = new AtomicLong();
    // guarded by this: created on the first spool that needs a file
    private @Nullable Path directory;
    private boolean closed;

    SpoolStore() {
        this(HEAP_BUDGET);
    }

    /** @param heapBudget the bytes all spools may hold on the heap together; more goes to files */
    SpoolStore(long heapBudget) {
        if (heapBudget < 0) {
            throw new IllegalArgumentException("heapBudget must be >= 0, was " + heapBudget);
        }
        this.heapBudget = heapBudget;
    }

    /** @return a new, empty spool keeping its bytes here */
    Spool newSpool() {
        return new Spool(this);
    }

    /** @return whether {@code bytes} more may be held on the heap; if so they are counted until released */
    boolean reserve(int bytes) {
        while (true) {
            long used = heapUsed.get();
            if (used + bytes > heapBudget) {
                return false;
            }
            if (heapUsed.compareAndSet(used, used + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        heapUsed.addAndGet(-bytes);
    }

    /** @return bytes held on the heap by the spools of this store now */
    long heapUsed() {
        return heapUsed.get();
    }

    /** @return the directory of the spool files, once one was needed */
    synchronized Optional<Path> directory() {
        return Optional.ofNullable(directory);
    }

    /** @return a new empty file for one spool */
    synchronized Path newFile() throws IOException {
        if (closed) {
            throw new IOException("the run has ended: its spool directory is gone");
        }
        Path dir = directory;
        if (dir == null) {
            dir = Files.createTempDirectory("procflux-spool-");
            directory = dir;
        }
        return Files.createTempFile(dir, "job-", ".out");
    }

    /** Removes the directory and every file left in it. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        closed = true;
        Path dir = directory;
        directory = null;
        if (dir == null) {
            return;
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) tree.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
