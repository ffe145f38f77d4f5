package dev.procflux;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * The settings of a {@link ProcessEngine}. Immutable and thread-safe; create with {@link ProcessEngine#builder()}.
 */
public final class EngineOptions {
    private final int maxConcurrency;
    private final int maxPendingAcquire;
    private final Duration acquireTimeout;
    private final Duration killGracePeriod;
    private final long maxBufferedBytes;
    private final BackpressurePolicy backpressure;
    private final long highWaterBytes;
    private final long lowWaterBytes;
    private final long maxTotalBufferedBytes;
    private final Scheduler deliveryScheduler;
    private final Scheduler launchScheduler;
    private final Scheduler timerScheduler;
    private final @Nullable Scheduler virtualTime;
    private final boolean closeOnShutdown;
    private final boolean directReads;
    private final EngineEvents events;
    private final PoolEvents slotPoolEvents;

    EngineOptions(ProcessEngine.Builder b, Scheduler launchScheduler) {
        maxConcurrency = b.maxConcurrency;
        maxPendingAcquire = b.maxPendingAcquire;
        acquireTimeout = b.acquireTimeout;
        killGracePeriod = b.killGracePeriod;
        maxBufferedBytes = b.maxBufferedBytes;
        backpressure = b.backpressure;
        highWaterBytes = b.highWaterBytes;
        lowWaterBytes = b.lowWaterBytes;
        maxTotalBufferedBytes = b.maxTotalBufferedBytes;
        deliveryScheduler = b.deliveryScheduler;
        this.launchScheduler = launchScheduler;
        timerScheduler = b.timerScheduler;
        virtualTime = b.virtualTime;
        closeOnShutdown = b.closeOnShutdown;
        directReads = b.directReads;
        events = b.events;
        slotPoolEvents = b.slotPoolEvents;
    }

    /** @return a builder holding these options */
    public ProcessEngine.Builder toBuilder() {
        return new ProcessEngine.Builder(this);
    }

    /** @return the most processes running at once, across all callers */
    public int maxConcurrency() {
        return maxConcurrency;
    }

    /**
     * @return the most callers waiting for a slot, beyond which calls fail with
     *         {@link ProcessPoolOverloadedException}; {@code -1} for no limit
     */
    public int maxPendingAcquire() {
        return maxPendingAcquire;
    }

    /**
     * @return how long a caller waits for a slot: {@link Duration#ZERO} fails at once when no slot is free,
     *         {@link ProcessEngine.Builder#NO_LIMIT_TIME} waits without limit
     */
    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    /** @return the time between the graceful signal (SIGTERM) and the forced one (SIGKILL) */
    public Duration killGracePeriod() {
        return killGracePeriod;
    }

    /** @return the most output bytes {@link ProcessEngine#stream(Command)} holds for a subscriber that lags */
    public long maxBufferedBytes() {
        return maxBufferedBytes;
    }

    /** @return what a stream does when its subscriber lags */
    public BackpressurePolicy backpressure() {
        return backpressure;
    }

    /**
     * @return the largest high-water mark a stream may earn under {@link BackpressurePolicy#PAUSE}; streams start
     *         with a 128 KiB mark and grow it only while their subscriber keeps draining
     */
    public long highWaterBytes() {
        return highWaterBytes;
    }

    /** @return the queued output at which a paused process is resumed, for a stream at the largest mark */
    public long lowWaterBytes() {
        return lowWaterBytes;
    }

    /**
     * @return the budget for output queued in all streams together, counting what each running stream may still
     *         queue after its pause (streams waiting for a slot hold none of it): past half of it the streams holding
     *         the most pause, at it every stream pauses its process; {@code -1} for no budget (see
     *         {@link ProcessEngine.Builder#maxTotalBufferedBytes(long)} for the guarantee)
     */
    public long maxTotalBufferedBytes() {
        return maxTotalBufferedBytes;
    }

    /** @return where results and output reach subscribers */
    public Scheduler deliveryScheduler() {
        return deliveryScheduler;
    }

    /** @return where processes are launched (launching blocks for about a millisecond) */
    public Scheduler launchScheduler() {
        return launchScheduler;
    }

    /** @return where timeouts and grace periods are timed */
    public Scheduler timerScheduler() {
        return timerScheduler;
    }

    /**
     * @return the virtual clock of {@link ProcessEngine.Builder#virtualTime(Scheduler)} that times command and
     *         acquire timeouts, or empty when they are timed on {@link #timerScheduler()}
     */
    public Optional<Scheduler> virtualTime() {
        return Optional.ofNullable(virtualTime);
    }

    /** @return whether a JVM shutdown hook closes the engine, killing every process tree it started */
    public boolean closeOnShutdown() {
        return closeOnShutdown;
    }

    /**
     * @return whether {@code PAUSE} streams read stdout on the delivery scheduler as their subscriber asks (Linux; see
     *         {@link ProcessEngine.Builder#directReads(boolean)})
     */
    public boolean directReads() {
        return directReads;
    }

    /** @return the observability callbacks */
    public EngineEvents events() {
        return events;
    }

    /** @return the callbacks with the slot pool's own figures */
    public PoolEvents slotPoolEvents() {
        return slotPoolEvents;
    }

    @Override
    public String toString() {
        return "EngineOptions[maxConcurrency=" + maxConcurrency + ", maxPendingAcquire=" + maxPendingAcquire + ", acquireTimeout="
                + acquireTimeout + ", killGracePeriod=" + killGracePeriod + ", maxBufferedBytes=" + maxBufferedBytes
                + ", backpressure=" + backpressure + ", highWaterBytes=" + highWaterBytes + ", lowWaterBytes="
                + lowWaterBytes + ", maxTotalBufferedBytes=" + maxTotalBufferedBytes + ", directReads=" + directReads + "]";
    }
}
