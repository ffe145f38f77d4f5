package dev.procflux.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code --line-buffer} with {@code -k}: the oldest running job's lines are written as they come; the lines of the
 * jobs after it are spooled until every job before them has ended, so the output is in input order and still as
 * live as the order allows, as in GNU parallel. Jobs are numbered by the order they start in (which {@code -k}
 * makes the input order). Thread-safe: guarded by {@code this}; writes happen under it, so they are serial.
 */
final class KeptOrder {
    private final SpoolStore store;
    private long next;
    // guarded by this: the oldest job that has not ended
    private long head;
    private final Map<Long, Held> held = new HashMap<>();
    private final Set<Long> ended = new HashSet<>();

    /** @param store where the output of the jobs after the oldest waits */
    KeptOrder(SpoolStore store) {
        this.store = store;
    }

    /** @return the order number of a starting job */
    synchronized long start() {
        return next++;
    }

    /**
     * @param content whole lines, or a job's last line without its newline once the job ended
     * @throws UncheckedIOException when the content cannot be read or held
     */
    synchronized void write(long order, boolean stdout, ChunkSource content, LiveOutput.Writer writer) {
        if (order <= head) {
            writer.write(stdout, content);
            return;
        }
        Held h = held.computeIfAbsent(order, o -> new Held(writer, store));
        // stdout and stderr are held apart: the relative order of the two streams is lost, as in GNU parallel
        Spool spool = stdout ? h.stdout : h.stderr;
        try {
            content.writeTo((bytes, offset, length) -> spool.append(Arrays.copyOfRange(bytes, offset,
                    offset + length)));
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read back spooled output: " + e.getMessage(), e);
        }
    }

    /** The job numbered {@code order} has ended: the jobs after it, up to the next running one, write what they hold. */
    synchronized void end(long order) {
        ended.add(order);
        Held waiting = held.get(order);
        if (waiting != null && order != head) {
            waiting.seal();
        }
        while (true) {
            Held h = held.remove(head);
            if (h != null) {
                h.flush();
            }
            if (!ended.remove(head)) {
                return;
            }
            head++;
        }
    }

    /** The output a job wrote while not the oldest, with its writer (which tags its lines). */
    private static final class Held {
        final LiveOutput.Writer writer;
        final Spool stdout;
        final Spool stderr;

        Held(LiveOutput.Writer writer, SpoolStore store) {
            this.writer = writer;
            this.stdout = store.newSpool();
            this.stderr = store.newSpool();
        }

        void seal() {
            stdout.seal();
            stderr.seal();
        }

        /**
         * Writes what the job held, each stream in one piece: it is whole lines (and perhaps a last line without
         * its newline), so nothing of another job can come within a line.
         */
        void flush() {
            try {
                if (stdout.size() > 0) {
                    writer.write(true, stdout);
                }
                if (stderr.size() > 0) {
                    writer.write(false, stderr);
                }
            }
            finally {
                stdout.delete();
                stderr.delete();
            }
        }
    }
}
