package dev.procflux.cli;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * {@code -k}: hands ended jobs on in input order. A job that ends while an older one still runs waits here (its
 * output in its {@link Spool}s, within their store's heap budget, the rest in files) and later jobs keep starting,
 * as in GNU parallel; the oldest job is handed on the moment it ends, followed by every waiting job behind it.
 *
 * <p>So that the number of waiting jobs stays bounded however long the oldest job runs, a job is admitted only
 * while it is fewer than {@link #WINDOW} positions ahead of the oldest job not yet handed on.
 *
 * <p>Positions count the jobs in the order they were read, from 0; every admitted position must be
 * {@linkplain #ended ended} exactly once, with its outcome or with none. Thread-safe: guarded by {@code this};
 * jobs are admitted on engine threads, ended on the output thread.
 */
final class InputOrder {
    /** How far ahead of the oldest job not yet handed on a job may start. */
    static final int WINDOW = 4096;

    private final long window;
    // guarded by this: the position of the oldest job not yet handed on
    private long next;
    // guarded by this: ended jobs behind an older one that has not ended; null for a job that never started
    private final Map<Long, @Nullable JobOutcome> waiting = new HashMap<>();
    // guarded by this: the jobs waiting to be admitted, in input order (admission is asked for in that order)
    private final Deque<Admission> admitting = new ArrayDeque<>();

    InputOrder() {
        this(WINDOW);
    }

    /** @param window how far ahead of the oldest job not yet handed on a job may start; at least 1 */
    InputOrder(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, was " + window);
        }
        this.window = window;
    }

    private record Admission(long position, MonoSink<Void> sink) {
    }

    /** @return completes when the job at {@code position} may start: at once unless it is a window ahead */
    Mono<Void> admit(long position) {
        return Mono.create(sink -> {
            synchronized (this) {
                if (position >= next + window) {
                    Admission a = new Admission(position, sink);
                    admitting.add(a);
                    sink.onCancel(() -> cancel(a));
                    return;
                }
            }
            sink.success();
        });
    }

    private synchronized void cancel(Admission a) {
        admitting.remove(a);
    }

    /**
     * The job at {@code position} ended.
     *
     * @param outcome how it ended, or null if it never started
     * @return the outcomes to write now, in input order: none while an older job runs
     */
    List<JobOutcome> ended(long position, @Nullable JobOutcome outcome) {
        List<JobOutcome> ready = new ArrayList<>();
        List<Admission> admitted = new ArrayList<>();
        synchronized (this) {
            if (position != next) {
                waiting.put(position, outcome);
                return ready;
            }
            add(ready, outcome);
            next++;
            while (waiting.containsKey(next)) {
                add(ready, waiting.remove(next));
                next++;
            }
            while (!admitting.isEmpty() && admitting.peek().position() < next + window) {
                admitted.add(admitting.poll());
            }
        }
        // outside the lock: an admitted job starts on this thread and may come back here
        admitted.forEach(a -> a.sink().success());
        return ready;
    }

    /** @return the outcomes still waiting, in input order: none once every admitted job has ended */
    synchronized List<JobOutcome> rest() {
        List<JobOutcome> left = new ArrayList<>();
        waiting.keySet().stream().sorted().forEach(p -> add(left, waiting.get(p)));
        waiting.clear();
        return left;
    }

    /** @return how many ended jobs wait behind an older one */
    synchronized int waiting() {
        return waiting.size();
    }

    private static void add(List<JobOutcome> list, @Nullable JobOutcome o) {
        if (o != null) {
            list.add(o);
        }
    }
}
