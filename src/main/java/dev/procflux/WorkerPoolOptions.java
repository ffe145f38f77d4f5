package dev.procflux;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a {@link WorkerPool}. Immutable and thread-safe; create with {@link WorkerPool#builder(Command)}
 * and {@link WorkerPool.Builder#buildOptions()}. Schedulers and the kill grace period come from the engine the pool
 * is built with ({@link EngineOptions}).
 *
 * @param <I> the request type
 * @param <O> the reply type
 */
public final class WorkerPoolOptions<I, O> {
    private final Command command;
    private final WorkerProtocol<I, O> protocol;
    private final int minSize;
    private final int maxSize;
    private final int maxPendingAcquire;
    private final int maxRequestsPerWorker;
    private final Duration evictionIdle;
    private final Duration maxLifetime;
    private final Duration requestTimeout;
    private final int maxStartAttempts;
    private final int idempotentRetries;
    private final Duration startBackoff;
    private final @Nullable I healthCheckRequest;
    private final Duration healthCheckAfterIdle;
    private final PoolEvents poolEvents;

    WorkerPoolOptions(WorkerPool.Builder<I, O> b) {
        command = b.command;
        protocol = b.protocol;
        minSize = b.minSize;
        maxSize = b.maxSize;
        maxPendingAcquire = b.maxPendingAcquire;
        maxRequestsPerWorker = b.maxRequestsPerWorker;
        evictionIdle = b.evictionIdle;
        maxLifetime = b.maxLifetime;
        requestTimeout = b.requestTimeout;
        maxStartAttempts = b.maxStartAttempts;
        idempotentRetries = b.idempotentRetries;
        startBackoff = b.startBackoff;
        healthCheckRequest = b.healthCheckRequest;
        healthCheckAfterIdle = b.healthCheckAfterIdle;
        poolEvents = b.poolEvents;
    }

    /** @return a builder holding these options */
    public WorkerPool.Builder<I, O> toBuilder() {
        WorkerPool.Builder<I, O> b = new WorkerPool.Builder<>(command, protocol);
        b.minSize = minSize;
        b.maxSize = maxSize;
        b.maxPendingAcquire = maxPendingAcquire;
        b.maxRequestsPerWorker = maxRequestsPerWorker;
        b.evictionIdle = evictionIdle;
        b.maxLifetime = maxLifetime;
        b.requestTimeout = requestTimeout;
        b.maxStartAttempts = maxStartAttempts;
        b.idempotentRetries = idempotentRetries;
        b.startBackoff = startBackoff;
        b.healthCheckRequest = healthCheckRequest;
        b.healthCheckAfterIdle = healthCheckAfterIdle;
        b.poolEvents = poolEvents;
        return b;
    }

    /** @return the worker command */
    public Command command() {
        return command;
    }

    /** @return how requests and replies are framed */
    public WorkerProtocol<I, O> protocol() {
        return protocol;
    }

    /** @return the workers started at build time and kept warm */
    public int minSize() {
        return minSize;
    }

    /** @return the most workers alive at once */
    public int maxSize() {
        return maxSize;
    }

    /** @return the most callers waiting for a worker */
    public int maxPendingAcquire() {
        return maxPendingAcquire;
    }

    /** @return requests a worker serves before it is replaced; {@code -1} for no limit */
    public int maxRequestsPerWorker() {
        return maxRequestsPerWorker;
    }

    /** @return how long a worker may stay idle; {@link ProcessEngine.Builder#NO_LIMIT_TIME} for no limit */
    public Duration evictionIdle() {
        return evictionIdle;
    }

    /**
     * @return how long a worker may live (less up to 10% jitter); {@link ProcessEngine.Builder#NO_LIMIT_TIME} for
     *         no limit
     */
    public Duration maxLifetime() {
        return maxLifetime;
    }

    /**
     * @return how long a sent request may wait for its reply; {@link ProcessEngine.Builder#NO_LIMIT_TIME} for no
     *         limit
     */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** @return how many workers in a row may fail to start before calls fail fast */
    public int maxStartAttempts() {
        return maxStartAttempts;
    }

    /** @return how many times {@link WorkerPool#callIdempotent} resends a request whose worker crashed */
    public int idempotentRetries() {
        return idempotentRetries;
    }

    /** @return the first wait after a failed start (doubled per further failure) */
    public Duration startBackoff() {
        return startBackoff;
    }

    /** @return the request sent to check a worker idle for {@link #healthCheckAfterIdle()}, or empty for none */
    public Optional<I> healthCheckRequest() {
        return Optional.ofNullable(healthCheckRequest);
    }

    /** @return how long a worker must have been idle to be checked before use */
    public Duration healthCheckAfterIdle() {
        return healthCheckAfterIdle;
    }

    /** @return the callbacks with the pool's own figures */
    public PoolEvents poolEvents() {
        return poolEvents;
    }

    /** Environment values are redacted (see {@link Command#toString()}). */
    @Override
    public String toString() {
        return "WorkerPoolOptions[command=" + command + ", protocol=" + protocol.getClass().getSimpleName()
                + ", size=" + minSize + ".." + maxSize + ", maxPendingAcquire=" + maxPendingAcquire + ", maxRequestsPerWorker="
                + maxRequestsPerWorker + ", evictionIdle=" + evictionIdle + ", maxLifetime=" + maxLifetime
                + ", requestTimeout=" + requestTimeout + ", maxStartAttempts=" + maxStartAttempts
                + ", startBackoff=" + startBackoff
                + (healthCheckRequest == null ? "" : ", healthCheckAfterIdle=" + healthCheckAfterIdle) + "]";
    }
}
