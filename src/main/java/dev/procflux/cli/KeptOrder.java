package dev.procflux.cli;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code --line-buffer} with {@code -k}: the oldest running job's lines are written as they come; the lines of the
 * jobs after it are held until every job before them has ended, so the output is in input order and still as live
 * as the order allows, as in GNU parallel. Jobs are numbered by the order they start in (which {@code -k} makes the
 * input order). Thread-safe: guarded by {@code this}; writes happen under it, so they are serial.
 */
final class KeptOrder {
    private long next;
    // guarded by this: the oldest job that has not ended
    private long head;
    private final Map<Long, Held> held = new HashMap<>();
    private final Set<Long> ended = new HashSet<>();

    /** @return the order number of a starting job */
    synchronized long start() {
        return next++;
    }

    synchronized void write(long order, boolean stdout, byte[] bytes, LiveOutput.Writer writer) {
        if (order <= head) {
            writer.write(stdout, bytes);
            return;
        }
        Held h = held.computeIfAbsent(order, o -> new Held(writer));
        // stdout and stderr are held apart: the relative order of the two streams is lost, as in GNU parallel
        (stdout ? h.stdout : h.stderr).write(bytes, 0, bytes.length);
    }

    /** The job numbered {@code order} has ended: the jobs after it, up to the next running one, write what they hold. */
    synchronized void end(long order) {
        ended.add(order);
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
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

        Held(LiveOutput.Writer writer) {
            this.writer = writer;
        }

        void flush() {
            if (stdout.size() > 0) {
                writer.write(true, stdout.toByteArray());
            }
            if (stderr.size() > 0) {
                writer.write(false, stderr.toByteArray());
            }
        }
    }
}
