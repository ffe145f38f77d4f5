package dev.procflux.cli;

import java.time.Duration;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * {@code --timeout P%}: a job is killed after P% of the median runtime of the jobs that succeeded so far, once
 * {@link #MIN_SAMPLES} have, and never before {@link #FLOOR}; before that, jobs have no timeout. Thread-safe: guarded by {@code this}.
 */
final class MedianTimeout {
    static final int MIN_SAMPLES = 3;
    /** The shortest timeout: millisecond jobs must not be killed because the machine was busy for a moment. */
    static final Duration FLOOR = Duration.ofSeconds(1);

    private final int percent;
    // the two halves of the runtimes seen so far, for a running median
    private final PriorityQueue<Long> lower = new PriorityQueue<>((a, b) -> Long.compare(b, a));
    private final PriorityQueue<Long> upper = new PriorityQueue<>();

    MedianTimeout(int percent) {
        this.percent = percent;
    }

    synchronized void succeeded(long runtimeNanos) {
        if (lower.isEmpty() || runtimeNanos <= lower.peek()) {
            lower.add(runtimeNanos);
        }
        else {
            upper.add(runtimeNanos);
        }
        if (lower.size() > upper.size() + 1) {
            upper.add(lower.poll());
        }
        else if (upper.size() > lower.size()) {
            lower.add(upper.poll());
        }
    }

    /** @return the timeout for a job starting now, or empty while fewer than {@link #MIN_SAMPLES} succeeded */
    synchronized Optional<Duration> current() {
        int n = lower.size() + upper.size();
        if (n < MIN_SAMPLES) {
            return Optional.empty();
        }
        double median = n % 2 == 1 ? lower.peek() : (lower.peek() + (double) upper.peek()) / 2;
        return Optional.of(Duration.ofNanos(Math.max(FLOOR.toNanos(), (long) (median * percent / 100))));
    }
}
