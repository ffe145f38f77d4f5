package dev.procflux.internal;

import dev.procflux.ProcessStartException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Spaces out worker launches after failed starts so that a broken worker command (a bad script that exits at
 * once) cannot cause a restart storm: the n-th failure in a row delays the next launch by
 * {@code backoff * 2^(n-1)}, and after {@code maxAttempts} failures in a row launches are refused (fast) until a
 * cool-down has passed; then one attempt at a time is let through. Any answered request resets the count.
 *
 * <p>Thread-safe: guarded by {@code this}; the critical sections are a few arithmetic operations.
 */
final class WorkerStartGate {
    private static final long MAX_DELAY_NANOS = Duration.ofMinutes(1).toNanos();

    private final int maxAttempts;
    private final long backoffNanos;
    private final String commandLine;
    // guarded by this
    private int failuresInARow;
    private long nextAttemptNanos;
    private @Nullable RuntimeException lastFailure;

    WorkerStartGate(int maxAttempts, Duration backoff, String commandLine) {
        this.maxAttempts = maxAttempts;
        this.backoffNanos = backoff.toNanos();
        this.commandLine = commandLine;
    }

    /**
     * @return how long to wait before launching (0 for at once)
     * @throws ProcessStartException when too many starts failed in a row and the cool-down is not over
     */
    synchronized long admit(long nowNanos) {
        if (failuresInARow >= maxAttempts) {
            long remaining = nextAttemptNanos - nowNanos;
            if (remaining > 0) {
                throw new ProcessStartException(ProcessStartException.Reason.LAUNCH_FAILED, commandLine,
                        "worker '" + commandLine + "' failed to start " + failuresInARow + " times in a row; "
                                + "not trying again for " + Duration.ofNanos(remaining).toMillis() + "ms; last failure: "
                                + (lastFailure == null ? "unknown" : lastFailure.getMessage()), lastFailure);
            }
            // cool-down over: this caller tries once; concurrent callers keep failing fast until it reports
            nextAttemptNanos = nowNanos + delayNanos(failuresInARow);
            return 0;
        }
        return Math.max(0, nextAttemptNanos - nowNanos);
    }

    synchronized void failed(RuntimeException failure, long nowNanos) {
        if (failuresInARow < Integer.MAX_VALUE) {
            failuresInARow++;
        }
        lastFailure = failure;
        nextAttemptNanos = nowNanos + delayNanos(failuresInARow);
    }

    synchronized void succeeded() {
        failuresInARow = 0;
        nextAttemptNanos = 0;
        lastFailure = null;
    }

    synchronized int failuresInARow() {
        return failuresInARow;
    }

    private long delayNanos(int failures) {
        int shift = Math.min(Math.min(failures, maxAttempts) - 1, 30);
        return backoffNanos > (MAX_DELAY_NANOS >> shift) ? MAX_DELAY_NANOS : backoffNanos << shift;
    }
}
