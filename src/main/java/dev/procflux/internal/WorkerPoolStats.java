package dev.procflux.internal;

import dev.procflux.WorkerPoolMetrics;
import dev.procflux.WorkerRestartCause;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** A worker pool's counters, and the reports that also feed its {@link WorkerStartGate}. */
final class WorkerPoolStats implements WorkerContext.Events {
    private final WorkerStartGate gate;
    // all written by any thread that reports; adders, no lock
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder started = new LongAdder();
    private final LongAdder startFailures = new LongAdder();
    // filled in the constructor, read-only afterwards
    private final Map<WorkerRestartCause, LongAdder> restarts = new EnumMap<>(WorkerRestartCause.class);

    WorkerPoolStats(WorkerStartGate gate) {
        this.gate = gate;
        for (WorkerRestartCause c : WorkerRestartCause.values()) {
            restarts.put(c, new LongAdder());
        }
    }

    /** Fills in the counted figures. */
    WorkerPoolMetrics.Builder fill(WorkerPoolMetrics.Builder b) {
        b.succeeded(succeeded.sum()).failed(failed.sum()).started(started.sum()).startFailures(startFailures.sum());
        restarts.forEach((cause, n) -> b.restarts(cause, n.sum()));
        return b;
    }

    /** A worker process was launched. */
    void started() {
        started.increment();
    }

    /** A retired worker was destroyed while the pool was open: it will be replaced. */
    void restarted(WorkerRestartCause cause) {
        restarts.get(cause).increment();
    }

    @Override
    public void succeeded() {
        succeeded.increment();
    }

    @Override
    public void failed() {
        failed.increment();
    }

    @Override
    public void startSucceeded() {
        gate.succeeded();
    }

    @Override
    public void startFailed(RuntimeException failure) {
        startFailures.increment();
        gate.failed(failure, System.nanoTime());
    }
}
