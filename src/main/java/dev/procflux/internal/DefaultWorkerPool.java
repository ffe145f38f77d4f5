package dev.procflux.internal;

import dev.procflux.Command;
import dev.procflux.EngineOptions;
import dev.procflux.ProcessStartException;
import dev.procflux.Worker;
import dev.procflux.WorkerCrashedException;
import dev.procflux.WorkerPool;
import dev.procflux.WorkerPoolMetrics;
import dev.procflux.WorkerPoolOptions;
import dev.procflux.WorkerRestartCause;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.pool.InstrumentedPool;
import reactor.pool.PoolBuilder;
import reactor.pool.PooledRef;
import reactor.pool.PooledRefMetadata;
import reactor.util.Logger;
import reactor.util.Loggers;
import reactor.util.retry.Retry;

/**
 * The worker pool: a reactor-pool of {@link WorkerProcess}es. The allocator launches a worker (on the launch
 * scheduler, after the {@link WorkerStartGate} allows it), the eviction predicate retires broken, worn-out, idle and
 * old workers, and the destroy handler kills the worker's process tree.
 *
 *
 * @param <I> the request type
 * @param <O> the reply type
 */
final class DefaultWorkerPool<I, O> implements WorkerPool<I, O> {
    private static final Logger log = Loggers.getLogger(DefaultWorkerPool.class);
    private static final Duration MAX_EVICTION_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MIN_EVICTION_INTERVAL = Duration.ofMillis(10);
    // each worker's lifetime is shortened by up to this fraction, so that workers started together spread out
    private static final double LIFETIME_JITTER = 0.1;

    private final WorkerPoolOptions<I, O> options;
    private final EngineOptions engine;
    private final Launcher launcher;
    private final Command launchCommand;
    private final String commandLine;
    private final WorkerStartGate gate;
    private final InstrumentedPool<WorkerProcess<I, O>> pool;
    // every worker from launch until its exit was handled; close() kills them all
    private final Set<WorkerProcess<I, O>> live = ConcurrentHashMap.newKeySet();
    private final Lifecycle lifecycle;
    // cancelled by close
    private final Disposable warmUp;
    private final WorkerPoolStats stats;
    private final WorkerContext context;

    DefaultWorkerPool(WorkerPoolOptions<I, O> options, EngineOptions engine, Launcher launcher) {
        this.options = Objects.requireNonNull(options, "options");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.launcher = launcher;
        // an empty stdin makes the launcher keep the pipe open (it asks the listener for bytes instead of closing
        // it); the command's timeout is not applied by the launcher, requestTimeout bounds each request instead
        this.launchCommand = options.command().withStdin(new byte[0]);
        this.commandLine = options.command().commandLine();
        this.gate = new WorkerStartGate(options.maxStartAttempts(), options.startBackoff(), commandLine);
        this.stats = new WorkerPoolStats(gate);
        // before the pool: the warm-up's allocations already ask whether the pool is closed
        this.lifecycle = new Lifecycle("worker pool", engine, this::stop, this::killAll, live::isEmpty,
                this::metrics);
        KillQueue kills = KillQueue.ownThreads("worker pool");
        // the kill threads end once the pool is closed and empty, not at the close: a worker retired just before it
        // may still be waiting for its kill
        lifecycle.killsOn(kills);
        this.context = new WorkerContext(engine.deliveryScheduler(), engine.timerScheduler(), kills,
                engine.killGracePeriod(), options.requestTimeout(), commandLine, lifecycle::isClosed, stats,
                this::workerGone);
        this.pool = PoolEventsRecorder.install(PoolBuilder.from(allocate())
                        .sizeBetween(options.minSize(), options.maxSize())
                        .maxPendingAcquire(options.maxPendingAcquire())
                        .evictionPredicate(this::shouldEvict)
                        .evictInBackground(evictionInterval(), engine.timerScheduler())
                        .destroyHandler(w -> Mono.fromRunnable(() -> destroy(w))),
                options.poolEvents(), "workers '" + commandLine + "'")
                .buildPool();
        if (options.minSize() > 0) {
            // Not pool.warmup(): in reactor-pool 1.2.8 it offers new resources to the idle queue without draining
            // the pending queue, so a call made during the warm-up waits until some other pool event (seen here;
            // no upstream issue found yet). One acquire goes through the normal, draining path: below minSize the
            // pool grants it minSize permits and starts the others beside it, draining after each. More acquires
            // would each start one more worker while those are still starting.
            warmUp = pool.acquire()
                    .flatMap(this::release)
                    .subscribe(null, e -> log.debug("worker warm-up failed: {}", e.toString()));
        }
        else {
            warmUp = Disposables.disposed();
        }
        // the same promise as the engine's: JVM exit takes the workers' trees with it
        lifecycle.installShutdownHook();
    }

    /** The first step of closing, once. */
    private void stop() {
        // a warm-up still handing workers back would race the pool's disposal
        warmUp.dispose();
        log.debug("closing worker pool '{}': {} workers to stop", commandLine, live.size());
        // fails pending acquires and destroys idle workers; a busy worker is destroyed when it is returned
        pool.disposeLater().subscribe(null, e -> log.warn("worker pool dispose failed", e));
    }

    // ---- API

    @Override
    public Mono<O> call(I request) {
        Objects.requireNonNull(request, "request");
        ByteBuffer bytes = options.protocol().encode(request);
        return Mono.usingWhen(acquire(),
                ref -> ref.poolable().send(request, bytes.duplicate()),
                this::release,
                (ref, error) -> release(ref),
                this::release);
    }

    @Override
    public Mono<O> callIdempotent(I request) {
        return call(request).retryWhen(Retry.max(options.idempotentRetries())
                .filter(WorkerCrashedException.class::isInstance)
                .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    @Override
    public <T> Flux<T> withWorker(Function<? super Worker<I, O>, ? extends Publisher<T>> scope) {
        Objects.requireNonNull(scope, "scope");
        return Flux.usingWhen(acquire().map(LeasedWorker::new),
                lease -> scope.apply(lease),
                LeasedWorker::end,
                (lease, error) -> lease.end(),
                LeasedWorker::end);
    }

    @Override
    public WorkerPoolMetrics metrics() {
        InstrumentedPool.PoolMetrics m = pool.metrics();
        return stats.fill(WorkerPoolMetrics.builder().alive(live.size()).idle(m.idleSize())
                .acquired(m.acquiredSize()).pending(m.pendingAcquireSize()).maxSize(options.maxSize()))
                .build();
    }

    @Override
    public WorkerPoolOptions<I, O> options() {
        return options;
    }

    @Override
    public boolean isDisposed() {
        return lifecycle.isClosed();
    }

    @Override
    public void dispose() {
        lifecycle.dispose();
    }

    @Override
    public Mono<Void> disposeLater() {
        return lifecycle.disposeLater();
    }

    @Override
    public Mono<Void> disposeGracefully(Duration drain) {
        Objects.requireNonNull(drain, "drain");
        return lifecycle.disposeGracefully(drain);
    }

    @Override
    public void close() {
        lifecycle.close();
    }

    private void killAll() {
        for (WorkerProcess<I, O> w : live) {
            w.kill();
        }
    }

    // ---- leasing

    private Mono<PooledRef<WorkerProcess<I, O>>> acquire() {
        Mono<PooledRef<WorkerProcess<I, O>>> acquire = pool.acquire();
        I ping = options.healthCheckRequest().orElse(null);
        if (ping != null) {
            ByteBuffer bytes = options.protocol().encode(ping);
            // each failed check retires one worker; bounded so that a pool of sick workers cannot loop forever
            acquire = Mono.defer(() -> pool.acquire().flatMap(ref -> healthChecked(ref, ping, bytes)))
                    .retryWhen(Retry.max(options.maxSize()).filter(HealthCheckFailed.class::isInstance))
                    .onErrorMap(HealthCheckFailed.class::isInstance, Throwable::getCause);
        }
        // errors of the acquisition itself come on the caller's or a pool thread: move them to delivery
        return acquire.onErrorResume(e -> Mono.<PooledRef<WorkerProcess<I, O>>>error(translate(e))
                .publishOn(engine.deliveryScheduler()));
    }

    private Mono<PooledRef<WorkerProcess<I, O>>> healthChecked(PooledRef<WorkerProcess<I, O>> ref, I ping,
            ByteBuffer bytes) {
        // not reactor-pool's releaseTimestamp(): it reads 0 while the ref is acquired, which it is here
        if (ref.poolable().idleNanos() < options.healthCheckAfterIdle().toNanos()) {
            return Mono.just(ref);
        }
        return ref.poolable().send(ping, bytes.duplicate())
                .thenReturn(ref)
                .onErrorResume(e -> release(ref).then(Mono.error(new HealthCheckFailed(e))));
    }

    /** Marks a failed health check for the retry; carries the check's error as its cause. */
    private static final class HealthCheckFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HealthCheckFailed(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private Mono<Void> release(PooledRef<WorkerProcess<I, O>> ref) {
        WorkerProcess<I, O> w = ref.poolable();
        w.leaseEnded();
        Mono<Void> back = w.retireCause() != null ? ref.invalidate() : ref.release();
        return back.onErrorResume(e -> {
            // the caller's outcome is already decided; a failed hand-back only costs the pool one worker
            log.warn("returning worker (pid {}) to the pool failed", w.pid(), e);
            return Mono.empty();
        });
    }

    private Throwable translate(Throwable error) {
        // acquires never time out here: a worker pool bounds the wait by maxPendingAcquire and requestTimeout
        return Lifecycle.acquireError(error, "worker pool '" + commandLine + "' overloaded",
                options.maxPendingAcquire(), this::poolState, null,
                "worker pool '" + commandLine + "' closed: the call was not run");
    }

    private String poolState() {
        InstrumentedPool.PoolMetrics m = pool.metrics();
        return "acquired=" + m.acquiredSize() + "/" + options.maxSize() + ", idle=" + m.idleSize() + ", pending="
                + m.pendingAcquireSize();
    }

    // ---- worker lifecycle

    private Mono<WorkerProcess<I, O>> allocate() {
        return Mono.defer(() -> {
            if (lifecycle.isClosed()) {
                return Mono.error(context.closedError("no worker is started"));
            }
            long wait;
            try {
                wait = gate.admit(System.nanoTime());
            }
            catch (ProcessStartException e) {
                return Mono.error(e);
            }
            // launched on the launch thread, handed on from a delivery thread: the pool gives the new worker to a
            // waiting caller on the thread that allocated it, and caller code must never hold up the launch thread
            Mono<WorkerProcess<I, O>> launch = Mono.fromCallable(this::launch).subscribeOn(engine.launchScheduler())
                    .publishOn(engine.deliveryScheduler());
            return wait == 0 ? launch : Mono.delay(Duration.ofNanos(wait), engine.timerScheduler()).then(launch);
        });
    }

    private WorkerProcess<I, O> launch() {
        long lifetime = options.maxLifetime().toMillis();
        long limit = options.maxLifetime().isNegative() ? Long.MAX_VALUE
                : lifetime - (long) (lifetime * LIFETIME_JITTER * ThreadLocalRandom.current().nextDouble());
        WorkerProcess<I, O> w = new WorkerProcess<>(context, options.protocol(), limit);
        live.add(w);
        LaunchedProcess p;
        try {
            p = launcher.launch(launchCommand, w);
        }
        catch (RuntimeException e) {
            ProcessStartException error = e instanceof ProcessStartException ? (ProcessStartException) e
                    : new ProcessStartException(ProcessStartException.Reason.LAUNCH_FAILED, commandLine,
                            "cannot start worker '" + commandLine + "': " + e, e);
            w.launchFailed();
            stats.startFailed(error);
            workerGone(w);
            throw error;
        }
        stats.started();
        w.launched(p);
        if (lifecycle.isClosed()) {
            w.kill(); // closed during the launch: the pool will destroy it too, this just does not wait for that
        }
        return w;
    }

    private boolean shouldEvict(WorkerProcess<I, O> w, PooledRefMetadata meta) {
        if (w.retireCause() != null) {
            return true;
        }
        if (w.hasExited()) {
            w.retire(WorkerRestartCause.CRASH);
            return true;
        }
        if (options.maxRequestsPerWorker() > 0 && w.served() >= options.maxRequestsPerWorker()) {
            w.retire(WorkerRestartCause.MAX_REQUESTS);
            return true;
        }
        if (!options.evictionIdle().isNegative() && meta.idleTime() >= options.evictionIdle().toMillis()) {
            w.retire(WorkerRestartCause.EVICTED);
            return true;
        }
        if (meta.lifeTime() >= w.lifetimeLimitMillis()) {
            w.retire(WorkerRestartCause.EVICTED);
            return true;
        }
        return false;
    }

    private void destroy(WorkerProcess<I, O> w) {
        WorkerRestartCause cause = w.retireCause();
        if (cause != null && !lifecycle.isClosed()) {
            stats.restarted(cause);
        }
        w.kill();
    }

    private Duration evictionInterval() {
        Duration interval = MAX_EVICTION_INTERVAL;
        for (Duration limit : new Duration[] {options.evictionIdle(), options.maxLifetime()}) {
            if (!limit.isNegative() && limit.dividedBy(2).compareTo(interval) < 0) {
                interval = limit.dividedBy(2);
            }
        }
        return interval.compareTo(MIN_EVICTION_INTERVAL) < 0 ? MIN_EVICTION_INTERVAL : interval;
    }

    /** A worker's exit was handled or its launch failed: it no longer counts as alive. */
    private void workerGone(WorkerProcess<?, ?> w) {
        live.remove(w);
        lifecycle.checkDone();
    }

    /** A worker leased to a {@link #withWorker} scope; unusable once the scope ended. */
    private final class LeasedWorker implements Worker<I, O> {
        private final PooledRef<WorkerProcess<I, O>> ref;
        private volatile boolean ended;

        LeasedWorker(PooledRef<WorkerProcess<I, O>> ref) {
            this.ref = ref;
        }

        @Override
        public Mono<O> call(I request) {
            Objects.requireNonNull(request, "request");
            ByteBuffer bytes = options.protocol().encode(request);
            return Mono.defer(() -> ended
                    ? Mono.<O>error(new IllegalStateException("the worker lease has ended: call the pool instead"))
                            .publishOn(engine.deliveryScheduler())
                    : ref.poolable().send(request, bytes.duplicate()));
        }

        @Override
        public long pid() {
            return ref.poolable().pid();
        }

        Mono<Void> end() {
            ended = true;
            return release(ref);
        }
    }
}
