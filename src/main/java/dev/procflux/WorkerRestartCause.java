package dev.procflux;

/** Why a {@link WorkerPool} retired a worker process (a replacement is started when one is needed). */
public enum WorkerRestartCause {
    /** The worker died on its own: crashed, was killed from outside, or exited. */
    CRASH,
    /** A request ran longer than {@link WorkerPoolOptions#requestTimeout()}; the worker was killed. */
    TIMEOUT,
    /** The worker broke its {@link WorkerProtocol}; see {@link WorkerProtocolException}. */
    PROTOCOL_ERROR,
    /** A caller cancelled while its request was in flight: the worker might still answer, so it was killed. */
    CANCELLED,
    /** The worker served {@link WorkerPoolOptions#maxRequestsPerWorker()} requests. */
    MAX_REQUESTS,
    /** The worker stayed idle longer than {@link WorkerPoolOptions#evictionIdle()} or lived longer than
     * {@link WorkerPoolOptions#maxLifetime()}. */
    EVICTED
}
