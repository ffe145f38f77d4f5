package dev.procflux;

/**
 * A snapshot of a {@link ProcessEngine}'s figures. Immutable; take a new one with {@link ProcessEngine#metrics()}.
 * Counters count since the engine was built.
 */
public final class EngineMetrics {
    private final int running;
    private final int leased;
    private final int pending;
    private final int maxConcurrency;
    private final long started;
    private final long succeeded;
    private final long failed;
    private final long timedOut;
    private final long cancelled;
    private final long startFailures;
    private final long rejected;
    private final long bufferedBytes;
    private final long peakBufferedBytes;
    private final long pauses;
    private final long budgetPauses;

    /**
     * @param running processes alive now
     * @param leased slots held now
     * @param pending callers waiting for a slot
     * @param maxConcurrency the slot limit
     * @param started processes started
     * @param succeeded processes that exited with status 0
     * @param failed processes that ended otherwise (non-zero exit or signal), timeouts and cancels excluded
     * @param timedOut processes killed by their timeout
     * @param cancelled processes killed because the subscriber cancelled or the engine closed
     * @param startFailures processes that could not be started
     * @param rejected calls refused because the engine was overloaded or closed
     * @param bufferedBytes output bytes held for subscribers now
     * @param peakBufferedBytes the most output bytes ever held for one process's subscriber
     * @param pauses times a process was paused because its subscriber lagged
     * @param budgetPauses those of the pauses that the engine-wide budget made
     */
    public EngineMetrics(int running, int leased, int pending, int maxConcurrency, long started, long succeeded,
            long failed, long timedOut, long cancelled, long startFailures, long rejected, long bufferedBytes,
            long peakBufferedBytes, long pauses, long budgetPauses) {
        this.running = running;
        this.leased = leased;
        this.pending = pending;
        this.maxConcurrency = maxConcurrency;
        this.started = started;
        this.succeeded = succeeded;
        this.failed = failed;
        this.timedOut = timedOut;
        this.cancelled = cancelled;
        this.startFailures = startFailures;
        this.rejected = rejected;
        this.bufferedBytes = bufferedBytes;
        this.peakBufferedBytes = peakBufferedBytes;
        this.pauses = pauses;
        this.budgetPauses = budgetPauses;
    }

    /** @return processes alive now */
    public int running() {
        return running;
    }

    /** @return slots held now (a slot is held from acquire until its process is gone) */
    public int leased() {
        return leased;
    }

    /** @return callers waiting for a slot */
    public int pending() {
        return pending;
    }

    /** @return the slot limit */
    public int maxConcurrency() {
        return maxConcurrency;
    }

    /** @return processes started */
    public long started() {
        return started;
    }

    /** @return processes that exited with status 0 */
    public long succeeded() {
        return succeeded;
    }

    /** @return processes that ended with a non-zero status or a signal (not counting timeouts and cancels) */
    public long failed() {
        return failed;
    }

    /** @return processes killed by their timeout */
    public long timedOut() {
        return timedOut;
    }

    /** @return processes killed because the subscriber cancelled or the engine closed */
    public long cancelled() {
        return cancelled;
    }

    /** @return processes that could not be started */
    public long startFailures() {
        return startFailures;
    }

    /** @return calls refused because the engine was overloaded or closed */
    public long rejected() {
        return rejected;
    }

    /**
     * @return output bytes held for subscribers now, all streams together (bounded by
     *         {@link EngineOptions#maxTotalBufferedBytes()})
     */
    public long bufferedBytes() {
        return bufferedBytes;
    }

    /** @return the most output bytes ever held for one process's subscriber (the bound backpressure keeps) */
    public long peakBufferedBytes() {
        return peakBufferedBytes;
    }

    /** @return times a process was paused (SIGSTOP) because its subscriber lagged */
    public long pauses() {
        return pauses;
    }

    /**
     * @return times a process was paused because the engine's queued output reached
     *         {@link EngineOptions#maxTotalBufferedBytes()} (also counted in {@link #pauses()})
     */
    public long budgetPauses() {
        return budgetPauses;
    }

    @Override
    public String toString() {
        return "EngineMetrics[running=" + running + ", leased=" + leased + "/" + maxConcurrency + ", pending="
                + pending + ", started=" + started + ", succeeded=" + succeeded + ", failed=" + failed
                + ", timedOut=" + timedOut + ", cancelled=" + cancelled + ", startFailures=" + startFailures
                + ", rejected=" + rejected + ", bufferedBytes=" + bufferedBytes + ", peakBufferedBytes="
                + peakBufferedBytes + ", pauses=" + pauses + ", budgetPauses=" + budgetPauses + "]";
    }
}
