package dev.procflux;

import java.time.Duration;

/**
 * Callbacks with the figures of one pool: the {@link ProcessEngine}'s slots
 * ({@link ProcessEngine.Builder#addSlotPoolEvents(PoolEvents)}) or a {@link WorkerPool}'s workers
 * ({@link WorkerPool.Builder#addPoolEvents(PoolEvents)}). A pool hands out <em>resources</em>: slots in the engine,
 * worker processes in a worker pool. The Micrometer binding {@code dev.procflux.micrometer.ProcfluxMeters}
 * provides implementations ({@code slotPoolEvents()}, {@code workerPoolEvents(name)}).
 *
 * <p>These are the pool's own figures (the engine's and workers' pools are Reactor Pool pools), measured with
 * the pool's clock: every {@link Duration} here has millisecond resolution, so a short step reads
 * {@link Duration#ZERO}. Counts follow from how often each callback is called. What the pool figures do not
 * cover, such as how many resources are leased or waited for right now, is in {@link EngineMetrics} and
 * {@link WorkerPoolMetrics}.
 *
 * <p><b>Threading:</b> called on whichever thread drives the pool (a caller's, a delivery thread, the shared
 * process I/O thread, the eviction timer): implementations must be fast, thread-safe and must never block. An
 * exception thrown here is logged and otherwise ignored; it never fails an acquisition.
 */
public interface PoolEvents {
    /** Does nothing; the default. */
    PoolEvents NONE = new PoolEvents() {
    };

    /**
     * A new resource was created for the pool. In a worker pool this is a worker process launched, from the
     * pool's decision to start one (including any wait after failed starts, see
     * {@link WorkerPool.Builder#startBackoff(Duration)}) to the process running.
     *
     * @param latency how long the creation took
     */
    default void allocationSucceeded(Duration latency) {
    }

    /**
     * Creating a resource failed; in a worker pool, a worker could not be launched.
     *
     * @param latency how long the failed attempt took
     */
    default void allocationFailed(Duration latency) {
    }

    /**
     * An acquisition that had to queue (no idle resource and no room for a new one) left the queue with a
     * resource, or because its caller cancelled. Acquisitions served at once are not reported here.
     *
     * @param waited the time spent in the queue
     */
    default void pendingAcquireSucceeded(Duration waited) {
    }

    /**
     * An acquisition that had to queue failed: the queue was full (the pool's {@code maxPendingAcquire}), it timed out
     * ({@link EngineOptions#acquireTimeout()}), the pool was closed, or creating its resource failed.
     *
     * @param waited the time spent in the queue
     */
    default void pendingAcquireFailed(Duration waited) {
    }

    /**
     * A resource was handed to a caller.
     *
     * @param idle how long it had been idle since it was last returned, or since it was created
     */
    default void acquiredAfterIdle(Duration idle) {
    }

    /**
     * A caller returned a resource, and the pool finished handling the return (before deciding whether to keep
     * the resource). Called once per return; a worker that is retired when its caller is done (it crashed, timed
     * out, ...) is not returned but destroyed.
     *
     * @param latency how long the handling took
     */
    default void returned(Duration latency) {
    }

    /**
     * A returned resource was kept, idle, for the next caller rather than destroyed. (Reactor Pool calls this
     * "recycled"; it is not {@link WorkerRestartCause#MAX_REQUESTS}, which retires a worker.)
     */
    default void keptIdle() {
    }

    /**
     * The pool is destroying a resource (retired, or the pool was closed); {@link #destroyed} follows.
     *
     * @param lifetime how long the resource had existed
     */
    default void destroying(Duration lifetime) {
    }

    /**
     * The pool finished destroying a resource. In a worker pool, the worker's process tree was signalled to die;
     * the process may still be exiting.
     *
     * @param latency how long the destruction took
     */
    default void destroyed(Duration latency) {
    }
}
