package dev.procflux;

import dev.procflux.internal.ApiFactory;
import dev.procflux.internal.Arguments;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A pool of long-running worker processes that answer requests over stdin and stdout, so that an expensive
 * process (an interpreter, a compiler) starts once and serves many requests.
 *
 * <pre>{@code
 * WorkerPool<String, String> pool = WorkerPool.builder(Command.of("python3", "-u", "worker.py"))
 *         .protocol(WorkerProtocol.lines())
 *         .sizeBetween(2, 8)
 *         .requestTimeout(Duration.ofSeconds(30))
 *         .build(engine);
 * Mono<String> reply = pool.call("payload");
 * }</pre>
 *
 * <p>Each worker handles one request at a time: a call leases a worker, writes the request, waits for the reply
 * and returns the worker. A worker that crashes, hangs, breaks the protocol or is abandoned mid-request is killed
 * (its whole process tree) and replaced on demand; see {@link WorkerRestartCause}.
 *
 * <p>Thread-safe. Worker processes are not counted against the engine's {@link EngineOptions#maxConcurrency()};
 * the pool bounds them itself with {@link WorkerPoolOptions#maxSize()}. Closing the engine does not close the
 * pool: close the pool first.
 *
 * @param <I> the request type
 * @param <O> the reply type
 */
public interface WorkerPool<I, O> extends Disposable, AutoCloseable {

    /**
     * A builder for a pool of {@code command} workers, speaking {@link WorkerProtocol#lines()} until
     * {@link Builder#protocol} says otherwise.
     *
     * @param command the worker command; its stdin (if any) and timeout are ignored: stdin carries the requests,
     *        and {@link Builder#requestTimeout} bounds each request
     * @return a builder with the defaults
     * @throws NullPointerException if {@code command} is null
     */
    static Builder<String, String> builder(Command command) {
        return new Builder<>(Objects.requireNonNull(command, "command"), WorkerProtocol.lines());
    }

    /**
     * Sends {@code request} to an idle worker (starting one if needed and allowed) and emits its reply.
     *
     * <p><b>Laziness:</b> cold. Nothing is leased until subscription; each subscription sends the request again.
     * <p><b>Threading:</b> the reply (or error) is delivered on {@link EngineOptions#deliveryScheduler()}, never on
     * the shared NuProcess I/O thread.
     * <p><b>Backpressure:</b> one element. Callers beyond the idle workers wait in a queue bounded by
     * {@link WorkerPoolOptions#maxPendingAcquire()}.
     * <p><b>Cancellation:</b> while waiting, leaves the queue. Once the request was sent it cannot be taken back:
     * the worker is killed and replaced, so no later caller can receive this request's reply. The kill runs on the
     * pool's own kill threads ({@code procflux-worker-pool-kill-N}), never on the cancelling thread.
     * <p><b>Errors:</b> {@link WorkerCrashedException} (the worker died; the request is not retried),
     * {@link ProcessTimeoutException} (phase {@code RUN}, after {@link WorkerPoolOptions#requestTimeout()}),
     * {@link WorkerProtocolException}, {@link ProcessStartException} (no worker could be started, see
     * {@link WorkerPoolOptions#maxStartAttempts()}), {@link ProcessPoolOverloadedException},
     * {@link ProcessPoolClosedException}.
     *
     * @param request the request
     * @return the reply
     * @throws NullPointerException if {@code request} is null
     * @throws IllegalArgumentException if the protocol cannot encode {@code request}
     */
    Mono<O> call(I request);

    /**
     * {@link #call(Object)} for a request that is safe to run twice: when its worker crashes
     * ({@link WorkerCrashedException}), it is sent again to another worker, up to
     * {@link WorkerPoolOptions#idempotentRetries()} times. Other errors (timeout, protocol error, overload) are not
     * retried: a timed-out request may still be running, and the others would fail again.
     *
     * <p>Laziness, threading, backpressure and cancellation as {@link #call(Object)}.
     * <p><b>Errors:</b> as {@link #call(Object)}; the {@link WorkerCrashedException} of the last attempt once the
     * retries are used up.
     *
     * @param request the request; must be idempotent
     * @return the reply
     * @throws NullPointerException if {@code request} is null
     * @throws IllegalArgumentException if the protocol cannot encode {@code request}
     */
    Mono<O> callIdempotent(I request);

    /**
     * Runs {@code scope} with one worker leased to it, for several requests on the same process. The worker
     * returns to the pool when the scope's publisher terminates or is cancelled.
     *
     * <p><b>Laziness:</b> cold; the worker is leased on subscription.
     * <p><b>Threading:</b> {@code scope} is called on the thread that delivers the worker; replies arrive on
     * {@link EngineOptions#deliveryScheduler()}.
     * <p><b>Backpressure:</b> that of the publisher {@code scope} returns.
     * <p><b>Cancellation:</b> cancels the scope's publisher; a request in flight retires the worker.
     * <p><b>Errors:</b> those of the scope's publisher, and those of {@link #call} for leasing.
     *
     * @param scope the work to run on the worker
     * @param <T> the element type
     * @return the scope's elements
     * @throws NullPointerException if {@code scope} is null
     */
    <T> Flux<T> withWorker(Function<? super Worker<I, O>, ? extends Publisher<T>> scope);

    /** @return a snapshot of the pool's figures */
    WorkerPoolMetrics metrics();

    /** @return the options the pool was built with */
    WorkerPoolOptions<I, O> options();

    /**
     * @return whether the pool was disposed ({@link #dispose()}, {@link #disposeLater()} subscribed,
     *         {@link #disposeGracefully(Duration)} subscribed or {@link #close()}): no new call is accepted
     */
    @Override
    boolean isDisposed();

    /**
     * Starts disposing without waiting: stops accepting calls (new calls fail with
     * {@link ProcessPoolClosedException}), fails waiting callers and requests in flight with it, and kills every
     * worker's process tree (stdin closed and SIGTERM, then SIGKILL after {@link EngineOptions#killGracePeriod()}).
     * Idempotent; during a {@link #disposeGracefully(Duration) graceful drain} it cuts the drain short. Never
     * blocks.
     */
    @Override
    void dispose();

    /**
     * {@link #dispose()} as a {@code Mono}, like reactor-pool's {@code Pool.disposeLater()}.
     *
     * <p><b>Laziness:</b> lazy: nothing happens until subscription; subscribing starts disposing (once, however
     * often it is subscribed) and the {@code Mono} completes once every worker process and every process of the
     * trees it killed has exited.
     * <p><b>Threading:</b> completes on {@link EngineOptions#deliveryScheduler()}, never on the NuProcess I/O thread.
     * <p><b>Cancellation:</b> cancelling stops waiting; disposal, once started, goes on.
     * <p><b>Errors:</b> none.
     *
     * @return completion once every worker is gone
     */
    Mono<Void> disposeLater();

    /**
     * Disposes gracefully: stops accepting calls and fails waiting callers with {@link ProcessPoolClosedException}
     * at once, stops idle workers, lets requests in flight finish for up to {@code drain}, then kills whatever is
     * left as {@link #dispose()} does (requests still in flight fail with {@link ProcessPoolClosedException}). A
     * worker whose request finished is stopped when it is returned.
     *
     * <p><b>Laziness:</b> lazy: nothing happens until subscription. Only the first disposal counts: a later
     * {@code disposeGracefully} does not change the drain, a later {@link #dispose()} cuts it short.
     * <p><b>Threading:</b> completes on {@link EngineOptions#deliveryScheduler()}, never on the NuProcess I/O thread.
     * <p><b>Cancellation:</b> cancelling stops waiting; disposal, once started, goes on.
     * <p><b>Errors:</b> none.
     *
     * @param drain how long requests in flight may take to finish: {@link Duration#ZERO} kills at once, a negative
     *        value waits without limit (see {@link Builder})
     * @return completion once every worker is gone
     * @throws NullPointerException if {@code drain} is null
     */
    Mono<Void> disposeGracefully(Duration drain);

    /**
     * {@link #dispose()}, then waits up to twice the kill grace period (plus a second) for every worker to be
     * gone, counted from when the last of the kills has started on the pool's kill threads; for try-with-resources.
     * Idempotent. A worker is gone once its whole process tree is: a descendant that outlives the SIGTERM is
     * waited for until its SIGKILL after the grace period, as in {@link ProcessEngine#close()}. With
     * {@link EngineOptions#closeOnShutdown()} a JVM shutdown hook of the pool's own calls this method.
     */
    @Override
    void close();

    /**
     * Configures a {@link WorkerPool}. Not thread-safe: configure on one thread, then call {@link #build}.
     *
     * <p><b>Limits.</b> As for every procflux setting (see {@link ProcessEngine.Builder}): zero means none or at
     * once, a negative value ({@link ProcessEngine.Builder#NO_LIMIT}, {@link ProcessEngine.Builder#NO_LIMIT_TIME})
     * means no limit. Names follow reactor-pool where the concept is the same ({@code sizeBetween},
     * {@code maxPendingAcquire}, {@code evictionIdle}).
     *
     * @param <I> the request type
     * @param <O> the reply type
     */
    final class Builder<I, O> {
        final Command command;
        final WorkerProtocol<I, O> protocol;
        int minSize = 1;
        int maxSize = Math.max(2, Runtime.getRuntime().availableProcessors());
        int maxPendingAcquire = 1024;
        int maxRequestsPerWorker = ProcessEngine.Builder.NO_LIMIT;
        Duration evictionIdle = ProcessEngine.Builder.NO_LIMIT_TIME;
        Duration maxLifetime = ProcessEngine.Builder.NO_LIMIT_TIME;
        Duration requestTimeout = Duration.ofSeconds(30);
        int idempotentRetries = 2;
        int maxStartAttempts = 3;
        Duration startBackoff = Duration.ofMillis(100);
        @Nullable I healthCheckRequest;
        Duration healthCheckAfterIdle = Duration.ZERO;
        PoolEvents poolEvents = PoolEvents.NONE;

        Builder(Command command, WorkerProtocol<I, O> protocol) {
            this.command = command;
            this.protocol = protocol;
        }

        Builder(Builder<?, ?> other, WorkerProtocol<I, O> protocol) {
            this(other.command, protocol);
            minSize = other.minSize;
            maxSize = other.maxSize;
            maxPendingAcquire = other.maxPendingAcquire;
            maxRequestsPerWorker = other.maxRequestsPerWorker;
            evictionIdle = other.evictionIdle;
            maxLifetime = other.maxLifetime;
            requestTimeout = other.requestTimeout;
            idempotentRetries = other.idempotentRetries;
            maxStartAttempts = other.maxStartAttempts;
            startBackoff = other.startBackoff;
            poolEvents = other.poolEvents;
            // the health-check request has the old request type: it does not carry over
        }

        /**
         * How requests and replies are framed. Default {@link WorkerProtocol#lines()}.
         *
         * @param value the protocol
         * @param <J> the new request type
         * @param <P> the new reply type
         * @return a builder with this protocol and the other settings of this one
         */
        public <J, P> Builder<J, P> protocol(WorkerProtocol<J, P> value) {
            Objects.requireNonNull(value, "protocol");
            return new Builder<>(this, value);
        }

        /**
         * How many workers to keep: {@code min} are started when the pool is built (in the background) and kept
         * warm when requests arrive; at most {@code max} are alive at once. Default {@code 1} and the CPU count
         * (at least 2).
         *
         * @param min at least 0
         * @param max at least 1 and at least {@code min}
         * @return this builder
         * @throws IllegalArgumentException if {@code min} is negative, {@code max} below 1 or below {@code min}
         */
        public Builder<I, O> sizeBetween(int min, int max) {
            if (min < 0) {
                throw new IllegalArgumentException("sizeBetween min must be >= 0, was " + min);
            }
            if (max < 1 || max < min) {
                throw new IllegalArgumentException("sizeBetween max must be >= 1 and >= min (" + min + "), was " + max);
            }
            this.minSize = min;
            this.maxSize = max;
            return this;
        }

        /**
         * The most callers waiting for a worker; one more fails at once with
         * {@link ProcessPoolOverloadedException}. As reactor-pool's {@code maxPendingAcquire}. Default 1024.
         *
         * @param value 0 (no caller may wait), positive, or negative for no limit
         * @return this builder
         */
        public Builder<I, O> maxPendingAcquire(int value) {
            this.maxPendingAcquire = Arguments.countOrNoLimit(value);
            return this;
        }

        /**
         * Requests a worker serves before it is replaced ({@link WorkerRestartCause#MAX_REQUESTS}), to contain
         * leaks in long-lived workers (like Python's {@code maxtasksperchild}). Default: no limit.
         *
         * @param value positive, or negative for no limit
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is 0: a worker serves at least one request
         */
        public Builder<I, O> maxRequestsPerWorker(int value) {
            if (value == 0) {
                throw new IllegalArgumentException("maxRequestsPerWorker must be positive, or negative for no limit,"
                        + " was 0");
            }
            this.maxRequestsPerWorker = Arguments.countOrNoLimit(value);
            return this;
        }

        /**
         * How long a worker may stay idle before it is stopped ({@link WorkerRestartCause#EVICTED}); checked in
         * the background, at least every second. As reactor-pool's {@code evictionIdle}. Default: no limit.
         *
         * @param value {@link Duration#ZERO} (stop a worker as soon as it is idle), positive, or negative for no
         *        limit
         * @return this builder
         */
        public Builder<I, O> evictionIdle(Duration value) {
            this.evictionIdle = Arguments.orNoLimit(value, "evictionIdle");
            return this;
        }

        /**
         * How long a worker may live before it is replaced (checked when it is idle). Each worker's limit is
         * shortened by a random amount of up to 10% so that workers started together do not all restart together.
         * reactor-pool has no such setting (r2dbc-pool calls it {@code maxLifeTime}). Default: no limit.
         *
         * @param value {@link Duration#ZERO} (replace a worker as soon as it is idle), positive, or negative for
         *        no limit
         * @return this builder
         */
        public Builder<I, O> maxLifetime(Duration value) {
            this.maxLifetime = Arguments.orNoLimit(value, "maxLifetime");
            return this;
        }

        /**
         * How long a request may wait for its reply once it is sent; then the call fails with
         * {@link ProcessTimeoutException} and the worker is killed. Default 30s.
         *
         * @param value positive, or negative for no limit
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is zero: a request cannot be answered at once
         */
        public Builder<I, O> requestTimeout(Duration value) {
            this.requestTimeout = Arguments.positiveOrNoLimit(value, "requestTimeout");
            return this;
        }

        /**
         * How many workers in a row may fail to start (launch failure, or death before the first reply) before
         * the pool stops launching: calls then fail at once with {@link ProcessStartException} until a cool-down
         * of {@code startBackoff * 2^(maxStartAttempts-1)} (at most a minute) has passed, after which one more
         * attempt is made. Default 3.
         *
         * @param value at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is below 1
         */
        public Builder<I, O> maxStartAttempts(int value) {
            this.maxStartAttempts = Arguments.atLeast(value, 1, "maxStartAttempts");
            return this;
        }

        /**
         * How many times {@link WorkerPool#callIdempotent} resends a request whose worker crashed. Default 2.
         *
         * @param value at least 0
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is negative
         */
        public Builder<I, O> idempotentRetries(int value) {
            this.idempotentRetries = Arguments.atLeast(value, 0, "idempotentRetries");
            return this;
        }

        /**
         * The wait before launching again after a failed start, doubled after each further failure in a row (at
         * most a minute). Default 100ms.
         *
         * @param value zero (no wait) or positive
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is negative: a backoff without limit would never retry
         */
        public Builder<I, O> startBackoff(Duration value) {
            this.startBackoff = Arguments.nonNegative(value, "startBackoff");
            return this;
        }

        /**
         * A request sent to a worker that has been idle (or, if new, alive) for at least {@code afterIdle} before
         * it is handed to a caller: any reply within {@link #requestTimeout} proves it healthy; a crash, timeout or protocol error
         * retires it and the caller gets another worker (after {@code maxSize + 1} failed checks for one call, the
         * last failure is the caller's error). The check counts as a request in the metrics and towards
         * {@link #maxRequestsPerWorker}. Default: no health check. Changing the {@link #protocol} clears it.
         *
         * @param request the ping, encoded with the protocol
         * @param afterIdle zero (check before every use) or positive
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if {@code afterIdle} is negative, or the protocol cannot encode
         *         {@code request}
         */
        public Builder<I, O> healthCheck(I request, Duration afterIdle) {
            Objects.requireNonNull(request, "request");
            Duration idle = Arguments.nonNegative(afterIdle, "afterIdle");
            protocol.encode(request);
            this.healthCheckRequest = request;
            this.healthCheckAfterIdle = idle;
            return this;
        }

        /**
         * Adds callbacks for the figures of the pool itself (workers launched and how long a launch took, time
         * queued, idle time, worker lifetime, ...): see {@link PoolEvents}. Each call adds one more listener:
         * every callback reaches every listener, in the order they were added, and one that throws does not keep
         * the others from being called. Default: none. For Micrometer, add
         * {@code ProcfluxMeters.workerPoolEvents(name)}, which gives the pool its name in the meters.
         *
         * @param value the callbacks; fast and non-blocking (see {@link PoolEvents})
         * @return this builder
         */
        public Builder<I, O> addPoolEvents(PoolEvents value) {
            this.poolEvents = ApiFactory.poolEvents(poolEvents, Objects.requireNonNull(value, "poolEvents"));
            return this;
        }

        /** @return the options, without building a pool */
        public WorkerPoolOptions<I, O> buildOptions() {
            return new WorkerPoolOptions<>(this);
        }

        /**
         * Builds the pool and starts warming it up to the minimum size in the background.
         *
         * @param engine supplies the schedulers and the kill grace period ({@link ProcessEngine#options()})
         * @return a new pool; close it when done
         * @throws NullPointerException if {@code engine} is null
         */
        public WorkerPool<I, O> build(ProcessEngine engine) {
            Objects.requireNonNull(engine, "engine");
            return ApiFactory.workerPool(buildOptions(), engine.options());
        }
    }
}
