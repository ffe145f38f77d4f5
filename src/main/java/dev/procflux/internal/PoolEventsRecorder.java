package dev.procflux.internal;

import dev.procflux.PoolEvents;
import java.time.Duration;
import java.util.function.Consumer;
import reactor.pool.PoolBuilder;
import reactor.pool.PoolConfig;
import reactor.pool.PoolMetricsRecorder;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Feeds reactor-pool's {@link PoolMetricsRecorder} calls to our {@link PoolEvents}, so that no reactor-pool type
 * reaches the API. Reactor-pool calls the recorder in the middle of handing out and taking back resources (an
 * idle-time record comes just before the caller receives its resource), so an exception from user code must
 * never get back into the pool: each call is guarded and the failure logged.
 */
final class PoolEventsRecorder implements PoolMetricsRecorder {
    private static final Logger log = Loggers.getLogger(PoolEventsRecorder.class);

    private final PoolEvents events;
    private final String poolName;

    private PoolEventsRecorder(PoolEvents events, String poolName) {
        this.events = events;
        this.poolName = poolName;
    }

    /**
     * Installs {@code events} as the builder's recorder; with {@link PoolEvents#NONE} the pool keeps its own
     * no-op recorder.
     *
     * @param poolName how log lines name the pool
     */
    static <T, C extends PoolConfig<T>> PoolBuilder<T, C> install(PoolBuilder<T, C> builder, PoolEvents events,
            String poolName) {
        return events == PoolEvents.NONE ? builder : builder.metricsRecorder(new PoolEventsRecorder(events, poolName));
    }

    @Override
    public void recordAllocationSuccessAndLatency(long latencyMs) {
        report("allocationSucceeded", Duration.ofMillis(latencyMs), events::allocationSucceeded);
    }

    @Override
    public void recordAllocationFailureAndLatency(long latencyMs) {
        report("allocationFailed", Duration.ofMillis(latencyMs), events::allocationFailed);
    }

    @Override
    public void recordPendingSuccessAndLatency(long latencyMs) {
        report("pendingAcquireSucceeded", Duration.ofMillis(latencyMs), events::pendingAcquireSucceeded);
    }

    @Override
    public void recordPendingFailureAndLatency(long latencyMs) {
        report("pendingAcquireFailed", Duration.ofMillis(latencyMs), events::pendingAcquireFailed);
    }

    @Override
    public void recordIdleTime(long millisecondsIdle) {
        report("acquiredAfterIdle", Duration.ofMillis(millisecondsIdle), events::acquiredAfterIdle);
    }

    @Override
    public void recordResetLatency(long latencyMs) {
        report("returned", Duration.ofMillis(latencyMs), events::returned);
    }

    @Override
    public void recordRecycled() {
        try {
            events.keptIdle();
        }
        catch (RuntimeException e) {
            log.warn("PoolEvents.keptIdle failed (pool {})", poolName, e);
        }
    }

    @Override
    public void recordLifetimeDuration(long millisecondsSinceAllocation) {
        report("destroying", Duration.ofMillis(millisecondsSinceAllocation), events::destroying);
    }

    @Override
    public void recordDestroyLatency(long latencyMs) {
        report("destroyed", Duration.ofMillis(latencyMs), events::destroyed);
    }

    // The fast and slow recycling paths belong to reactor-pool's affinity pool; the SimpleDequePool we build
    // never reports them (checked in 1.2.8), so PoolEvents has nothing for them.

    @Override
    public void recordSlowPath() {
    }

    @Override
    public void recordFastPath() {
    }

    private void report(String callback, Duration value, Consumer<Duration> target) {
        try {
            target.accept(value);
        }
        catch (RuntimeException e) {
            log.warn("PoolEvents.{} failed (pool {})", callback, poolName, e);
        }
    }
}
