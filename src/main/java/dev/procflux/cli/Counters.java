package dev.procflux.cli;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a run has done so far, for the progress bar, the summary, {@code --halt} and the exit status. Thread-safe:
 * {@code read} is counted on the input thread, {@code started} on the engine's threads, the rest on the output
 * thread; every field is atomic so any thread may read them.
 */
final class Counters {
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong finished = new AtomicLong();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong killed = new AtomicLong();
    // -1 until the whole input has been read (or counted up front for a file)
    private final AtomicLong total = new AtomicLong(-1);

    void jobRead() {
        read.incrementAndGet();
    }

    void inputComplete() {
        total.compareAndSet(-1, read.get());
    }

    void knownTotal(long value) {
        total.set(value);
    }

    void jobStarted() {
        started.incrementAndGet();
    }

    /** A job counted by {@link #jobStarted()} that the closing engine never launched: it was not started after all. */
    void jobNotStarted() {
        started.decrementAndGet();
    }

    void jobFinished(JobOutcome o) {
        switch (o.status()) {
            case SUCCEEDED:
                succeeded.incrementAndGet();
                break;
            case FAILED:
                failed.incrementAndGet();
                break;
            case TIMED_OUT:
                timedOut.incrementAndGet();
                break;
            case INVALID:
                invalid.incrementAndGet();
                break;
            case ERROR:
                errors.incrementAndGet();
                break;
            default:
                killed.incrementAndGet();
        }
        finished.incrementAndGet();
    }

    /**
     * Jobs that ran but were gone without an outcome: cancelled because the output failed (the joblog could not be
     * written). Jobs killed by {@code --halt now} or a signal have outcomes of their own.
     */
    void unfinishedKilled() {
        long lost = started.get() - finished.get();
        if (lost > 0) {
            killed.addAndGet(lost);
            finished.addAndGet(lost);
        }
    }

    long started() {
        return started.get();
    }

    long finished() {
        return finished.get();
    }

    long running() {
        return Math.max(0, started.get() - finished.get());
    }

    /** @return the jobs that count as failed: non-zero exit, signal, timeout, start error, invalid line */
    long failed() {
        return failed.get() + timedOut.get() + invalid.get() + errors.get();
    }

    long total() {
        return total.get();
    }

    /** @return e.g. {@code 12 jobs in 1.42s (8.4/s): 11 succeeded, 1 failed (1 timed out)} */
    String summary(long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        long done = finished.get();
        StringBuilder sb = new StringBuilder();
        sb.append(done).append(done == 1 ? " job in " : " jobs in ")
                .append(String.format(Locale.ROOT, "%.2fs (%.1f/s): ", seconds, done / Math.max(seconds, 1e-3)))
                .append(succeeded.get()).append(" succeeded, ").append(failed()).append(" failed");
        StringBuilder detail = new StringBuilder();
        append(detail, timedOut.get(), "timed out");
        append(detail, invalid.get(), "invalid");
        append(detail, errors.get(), "not started");
        if (detail.length() > 0) {
            sb.append(" (").append(detail).append(')');
        }
        if (killed.get() > 0) {
            sb.append(", ").append(killed.get()).append(" killed");
        }
        long skipped = total.get() >= 0 ? total.get() - done : 0;
        if (skipped > 0) {
            sb.append(", ").append(skipped).append(" skipped");
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, long n, String what) {
        if (n > 0) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(n).append(' ').append(what);
        }
    }
}
