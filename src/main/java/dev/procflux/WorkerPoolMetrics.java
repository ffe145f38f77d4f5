package dev.procflux;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of a {@link WorkerPool}'s figures. Immutable; take a new one with {@link WorkerPool#metrics()}.
 * Counters count since the pool was built.
 */
public final class WorkerPoolMetrics {
    private final int alive;
    private final int idle;
    private final int busy;
    private final int pending;
    private final int maxSize;
    private final long succeeded;
    private final long failed;
    private final long workersStarted;
    private final long startFailures;
    private final Map<WorkerRestartCause, Long> restarts;

    /**
     * @param alive worker processes alive now (starting, idle, busy or being killed)
     * @param idle workers waiting in the pool for a request
     * @param busy workers leased to a caller
     * @param pending callers waiting for a worker
     * @param maxSize the most workers alive at once
     * @param succeeded requests answered
     * @param failed requests that ended with an error after a worker was leased (crash, timeout, protocol error,
     *        close); cancels are not counted
     * @param workersStarted worker processes launched
     * @param startFailures workers that could not be launched or died before their first reply
     * @param restarts workers retired, by cause; missing causes count zero
     * @throws NullPointerException if {@code restarts} is null
     */
    public WorkerPoolMetrics(int alive, int idle, int busy, int pending, int maxSize, long succeeded, long failed,
            long workersStarted, long startFailures, Map<WorkerRestartCause, Long> restarts) {
        this.alive = alive;
        this.idle = idle;
        this.busy = busy;
        this.pending = pending;
        this.maxSize = maxSize;
        this.succeeded = succeeded;
        this.failed = failed;
        this.workersStarted = workersStarted;
        this.startFailures = startFailures;
        EnumMap<WorkerRestartCause, Long> copy = new EnumMap<>(WorkerRestartCause.class);
        for (WorkerRestartCause c : WorkerRestartCause.values()) {
            copy.put(c, Objects.requireNonNull(restarts, "restarts").getOrDefault(c, 0L));
        }
        this.restarts = Collections.unmodifiableMap(copy);
    }

    /** @return worker processes alive now (starting, idle, busy or being killed) */
    public int alive() {
        return alive;
    }

    /** @return workers waiting in the pool for a request */
    public int idle() {
        return idle;
    }

    /** @return workers leased to a caller */
    public int busy() {
        return busy;
    }

    /** @return callers waiting for a worker */
    public int pending() {
        return pending;
    }

    /** @return the most workers alive at once */
    public int maxSize() {
        return maxSize;
    }

    /** @return requests answered */
    public long succeeded() {
        return succeeded;
    }

    /** @return requests that failed after a worker was leased (crash, timeout, protocol error, close) */
    public long failed() {
        return failed;
    }

    /** @return worker processes launched */
    public long workersStarted() {
        return workersStarted;
    }

    /** @return workers that could not be launched or died before their first reply */
    public long startFailures() {
        return startFailures;
    }

    /**
     * @param cause the cause
     * @return workers retired for {@code cause}
     */
    public long restarts(WorkerRestartCause cause) {
        return restarts.get(Objects.requireNonNull(cause, "cause"));
    }

    /** @return workers retired, by cause, every cause present; unmodifiable */
    public Map<WorkerRestartCause, Long> restarts() {
        return restarts;
    }

    @Override
    public String toString() {
        return "WorkerPoolMetrics[alive=" + alive + "/" + maxSize + ", idle=" + idle + ", busy=" + busy
                + ", pending=" + pending + ", succeeded=" + succeeded + ", failed=" + failed + ", workersStarted="
                + workersStarted + ", startFailures=" + startFailures + ", restarts=" + restarts + "]";
    }
}
