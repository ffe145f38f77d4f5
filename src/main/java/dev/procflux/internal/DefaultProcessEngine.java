package dev.procflux.internal;

import dev.procflux.Command;
import dev.procflux.EngineMetrics;
import dev.procflux.EngineOptions;
import dev.procflux.ExitStatus;
import dev.procflux.Lease;
import dev.procflux.ProcessAcquireTimeoutException;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessExitException;
import dev.procflux.ProcessOutcome;
import dev.procflux.ProcessOutput;
import dev.procflux.ProcessPoolClosedException;
import dev.procflux.ProcessPoolOverloadedException;
import dev.procflux.ProcessResult;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.pool.InstrumentedPool;
import reactor.pool.PoolAcquirePendingLimitException;
import reactor.pool.PoolBuilder;
import reactor.pool.PoolShutdownException;
import reactor.pool.PooledRef;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The engine: a reactor-pool of {@link Slot}s bounds how many processes live at once; each call acquires a slot,
 * launches with the {@link Launcher} and releases the slot once the process is gone.
 *
 * <p>Public only so that {@link ProcessEngine.Builder} can construct it; not API.
 */
public final class DefaultProcessEngine implements ProcessEngine, RunScheduler {
    private static final Logger log = Loggers.getLogger(DefaultProcessEngine.class);
    private static final int STDERR_TAIL_BYTES = 4096;

    private final EngineOptions options;
    private final Launcher launcher;
    private final InstrumentedPool<Slot> pool;
    private final AtomicInteger slotIds = new AtomicInteger();
    // every run from creation to finish; close() kills them, metrics() sums their buffers
    private final Set<ProcessRun> runs = ConcurrentHashMap.newKeySet();
    private final Set<StreamOutput> streams = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Sinks.Empty<Void> allDone = Sinks.empty();
    private final AtomicInteger running = new AtomicInteger();
    private final LongAdder started = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder startFailures = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder pauses = new LongAdder();
    private final @Nullable Thread shutdownHook;
    private final AtomicLong peakBuffered = new AtomicLong();

    /**
     * Builds an engine on NuProcess.
     *
     * @param options the options
     */
    public DefaultProcessEngine(EngineOptions options) {
        this(options, new NuProcessLauncher(options.timerScheduler()));
    }

    DefaultProcessEngine(EngineOptions options, Launcher launcher) {
        this.options = Objects.requireNonNull(options, "options");
        this.launcher = launcher;
        this.pool = PoolEventsRecorder.install(
                PoolBuilder.from(Mono.fromSupplier(() -> new Slot(slotIds.incrementAndGet())))
                        .sizeBetween(0, options.maxConcurrency())
                        .maxPendingAcquire(options.maxPendingAcquire())
                        .pendingAcquireTimer((task, delay) -> timeoutClock()
                                .schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS)),
                options.slotPoolEvents(), "engine slots")
                .buildPool();
        if (options.closeOnShutdown()) {
            shutdownHook = new Thread(this::close, "procflux-engine-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        else {
            shutdownHook = null;
        }
    }

    /** Times the limits the user set (command and acquire timeouts): the virtual clock in tests. */
    Scheduler timeoutClock() {
        return options.virtualTime().orElse(options.timerScheduler());
    }

    // ---- API

    @Override
    public Mono<ProcessResult> execute(Command command) {
        Objects.requireNonNull(command, "command");
        return execute(command, this);
    }

    @Override
    public Flux<String> lines(Command command) {
        Objects.requireNonNull(command, "command");
        return lines(command, this);
    }

    @Override
    public Flux<ProcessOutput> stream(Command command) {
        Objects.requireNonNull(command, "command");
        return stream(command, this, null);
    }

    @Override
    public Flux<ProcessOutput> stream(Command command, LongConsumer onStart) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(onStart, "onStart");
        return stream(command, this, onStart);
    }

    @Override
    public <T> Flux<T> withLease(Function<? super Lease, ? extends Publisher<T>> scope) {
        Objects.requireNonNull(scope, "scope");
        return Flux.usingWhen(
                Mono.defer(() -> {
                    long requested = System.nanoTime();
                    return acquireSlot().doOnNext(ref -> slotAcquired(requested));
                }).map(LeaseScope::new),
                s -> scope.apply(s.lease),
                LeaseScope::release,
                (s, error) -> s.release(),
                LeaseScope::release);
    }

    @Override
    public Function<Flux<ByteBuffer>, Flux<ByteBuffer>> pipe(Command command) {
        Objects.requireNonNull(command, "command");
        return input -> Flux.defer(() -> {
            TailBuffer stderr = new TailBuffer(STDERR_TAIL_BYTES);
            return stream(command.withStdin(input), this, null).handle((o, sink) -> {
                switch (o.kind()) {
                    case STDOUT:
                        sink.next(o.asByteBuffer());
                        break;
                    case STDERR:
                        stderr.append(o.asByteBuffer());
                        break;
                    default:
                        if (!o.exitStatus().isSuccess()) {
                            sink.error(new ProcessExitException(command.commandLine(), o.exitStatus(),
                                    stderr.text(command.charset())));
                        }
                }
            });
        });
    }

    @Override
    public EngineMetrics metrics() {
        long buffered = 0;
        for (StreamOutput s : streams) {
            buffered += s.bufferedBytes();
        }
        return EngineMetrics.builder().alive(running.get()).acquired(pool.metrics().acquiredSize())
                .pending(pool.metrics().pendingAcquireSize()).maxConcurrency(options.maxConcurrency())
                .started(started.sum()).succeeded(succeeded.sum()).failed(failed.sum()).timedOut(timedOut.sum())
                .cancelled(cancelled.sum()).startFailures(startFailures.sum()).rejected(rejected.sum())
                .bufferedBytes(buffered).peakBufferedBytes(peakBuffered.get()).pauses(pauses.sum()).build();
    }

    @Override
    public boolean isDisposed() {
        return closed.get();
    }

    @Override
    public EngineOptions options() {
        return options;
    }

    @Override
    public void dispose() {
        beginClose(null);
    }

    @Override
    public Mono<Void> disposeLater() {
        return Mono.defer(() -> {
            beginClose(null);
            return whenAllDone();
        });
    }

    @Override
    public Mono<Void> disposeGracefully(Duration drain) {
        Objects.requireNonNull(drain, "drain");
        return Mono.defer(() -> {
            beginClose(drain);
            return whenAllDone();
        });
    }

    // the last run may end on the NuProcess I/O thread: completion is moved to the delivery scheduler
    private Mono<Void> whenAllDone() {
        return allDone.asMono().publishOn(options.deliveryScheduler());
    }

    /** @param drain how long running processes may finish (negative: no limit), or null to kill them at once */
    private void beginClose(@Nullable Duration drain) {
        if (closed.compareAndSet(false, true)) {
            log.debug("closing engine: {} runs to stop, drain {}", runs.size(), drain);
            removeShutdownHook();
            // fails callers waiting for a slot; slots in use are destroyed as they come back
            pool.disposeLater().subscribe(null, e -> log.warn("slot pool dispose failed", e));
            if (drain == null || drain.isZero()) {
                killAll();
            }
            else if (!drain.isNegative()) {
                options.timerScheduler().schedule(this::killAll, drain.toNanos(), TimeUnit.NANOSECONDS);
            }
            if (runs.isEmpty()) {
                allDone.tryEmitEmpty();
            }
        }
        else if (drain == null) {
            // dispose() during a graceful drain cuts it short
            killAll();
        }
    }

    private void killAll() {
        for (ProcessRun run : runs) {
            run.close();
        }
    }

    @Override
    public void close() {
        Duration wait = options.killGracePeriod().multipliedBy(2).plusSeconds(1);
        try {
            disposeLater().block(wait);
        }
        catch (IllegalStateException e) {
            log.warn("engine close did not finish within {}: {}", wait, metrics());
        }
    }

    private void removeShutdownHook() {
        Thread hook = shutdownHook;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting: the hook is running or about to, and close() is idempotent
            }
        }
    }

    // ---- runs

    Mono<ProcessResult> execute(Command command, RunScheduler slots) {
        return Mono.create(sink -> {
            ProcessRun run = new ProcessRun(this, command, new CaptureOutput(command, sink, options.deliveryScheduler()));
            sink.onCancel(run::cancel);
            submit(run, slots);
        });
    }

    Flux<ProcessOutput> stream(Command command, RunScheduler slots, @Nullable LongConsumer onStart) {
        return Flux.from(subscriber -> {
            StreamOutput out = new StreamOutput(command, this, Operators.toCoreSubscriber(subscriber), onStart);
            ProcessRun run = new ProcessRun(this, command, out);
            streams.add(out);
            run.onFinish(() -> streams.remove(out));
            subscriber.onSubscribe(out);
            out.attach(run);
            submit(run, slots);
        });
    }

    Flux<String> lines(Command command, RunScheduler slots) {
        return Flux.defer(() -> {
            // per subscription: decoding state and the stderr tail for the exit error
            LineSplitter splitter = new LineSplitter(command.charset(), command.maxLineLength(), command.commandLine());
            TailBuffer stderr = new TailBuffer(STDERR_TAIL_BYTES);
            return stream(command, slots, null).concatMap(o -> {
                switch (o.kind()) {
                    case STDOUT:
                        return Flux.fromIterable(splitter.feed(o.bytes()));
                    case STDERR:
                        stderr.append(o.bytes());
                        return Flux.empty();
                    default:
                        Flux<String> last = Flux.fromIterable(splitter.finish());
                        if (o.exitStatus().isSuccess()) {
                            return last;
                        }
                        return last.concatWith(Mono.error(new ProcessExitException(command.commandLine(),
                                o.exitStatus(), stderr.text(command.charset()))));
                }
            });
        });
    }

    private void submit(ProcessRun run, RunScheduler slots) {
        runs.add(run);
        if (closed.get()) {
            rejected.increment();
            run.slotRefused(closedError(run.command()));
            return;
        }
        slots.schedule(run);
    }

    /** The engine's own slots: reactor-pool leases. */
    @Override
    public void schedule(ProcessRun run) {
        long requested = System.nanoTime();
        run.acquisition(pooledSlot().subscribe(
                ref -> {
                    ref.poolable().used();
                    slotAcquired(requested);
                    run.slotGranted(() -> ref.release().subscribe(null, e -> log.warn("slot release failed", e)));
                },
                error -> {
                    rejected.increment();
                    run.slotRefused(translate(error, run.command()));
                }));
    }

    private Mono<PooledRef<Slot>> pooledSlot() {
        Duration timeout = options.acquireTimeout();
        if (timeout.isNegative()) {
            return pool.acquire();
        }
        // reactor-pool reads a zero timeout as "none"; one nanosecond arms its timer only when no slot is free
        return pool.acquire(timeout.isZero() ? Duration.ofNanos(1) : timeout);
    }

    private void slotAcquired(long requestedNanos) {
        try {
            options.events().slotAcquired(Duration.ofNanos(System.nanoTime() - requestedNanos));
        }
        catch (RuntimeException e) {
            log.warn("EngineEvents.slotAcquired failed", e);
        }
    }

    private Mono<PooledRef<Slot>> acquireSlot() {
        return pooledSlot().onErrorMap(e -> {
            rejected.increment();
            return translate(e, null);
        });
    }

    private Throwable translate(Throwable error, @Nullable Command command) {
        String what = command == null ? "lease" : "'" + command.commandLine() + "'";
        if (error instanceof PoolAcquirePendingLimitException) {
            return new ProcessPoolOverloadedException(options.maxPendingAcquire(), "engine overloaded: cannot run " + what
                    + ": " + poolState() + " (maxPendingAcquire=" + options.maxPendingAcquire() + " reached)", error);
        }
        if (error instanceof TimeoutException) {
            return new ProcessAcquireTimeoutException(command == null ? "" : command.commandLine(),
                    options.acquireTimeout(), poolState(), error);
        }
        if (error instanceof PoolShutdownException) {
            return new ProcessPoolClosedException("engine closed: cannot run " + what, error);
        }
        return error;
    }

    private String poolState() {
        return "acquired=" + pool.metrics().acquiredSize() + "/" + options.maxConcurrency() + ", pending="
                + pool.metrics().pendingAcquireSize();
    }

    ProcessPoolClosedException closedError(Command command) {
        return new ProcessPoolClosedException("engine closed: '" + command.commandLine() + "' was not run", null);
    }

    /** @param status how the running process the close killed ended */
    ProcessPoolClosedException closedError(Command command, ExitStatus status) {
        return new ProcessPoolClosedException("engine closed: '" + command.commandLine() + "' was killed, ended with "
                + status, null, status);
    }

    // ---- callbacks from runs

    Launcher launcher() {
        return launcher;
    }

    void started(Command command, long pid) {
        started.increment();
        running.incrementAndGet();
        log.debug("started pid {}: {}", pid, command);
        try {
            options.events().processStarted(command, pid);
        }
        catch (RuntimeException e) {
            log.warn("EngineEvents.processStarted failed", e);
        }
    }

    void startFailed(Command command) {
        startFailures.increment();
        ended(command, ProcessOutcome.START_FAILED, 0);
    }

    void exited() {
        running.decrementAndGet();
    }

    void paused() {
        pauses.increment();
    }

    /** Keeps the peak of one process's queued output; a CAS only when a new peak is set. */
    void observeBuffered(long bytes) {
        long peak = peakBuffered.get();
        while (bytes > peak && !peakBuffered.compareAndSet(peak, bytes)) {
            peak = peakBuffered.get();
        }
    }

    void outcome(Command command, ProcessOutcome outcome, long durationNanos) {
        switch (outcome) {
            case SUCCEEDED:
                succeeded.increment();
                break;
            case FAILED:
                failed.increment();
                break;
            case TIMED_OUT:
                timedOut.increment();
                break;
            default:
                cancelled.increment();
        }
        ended(command, outcome, durationNanos);
    }

    private void ended(Command command, ProcessOutcome outcome, long durationNanos) {
        try {
            options.events().processEnded(command, outcome, Duration.ofNanos(durationNanos));
        }
        catch (RuntimeException e) {
            log.warn("EngineEvents.processEnded failed", e);
        }
    }

    void killed(Command command, long pid, boolean forced) {
        if (forced) {
            log.warn("pid {} survived SIGTERM for the grace period of {}: sent SIGKILL to its tree ({})", pid,
                    options.killGracePeriod(), command.commandLine());
        }
        else {
            log.debug("killing pid {} and its tree: {}", pid, command.commandLine());
        }
        try {
            options.events().processKilled(command, pid, forced);
        }
        catch (RuntimeException e) {
            log.warn("EngineEvents.processKilled failed", e);
        }
    }

    void runDone(ProcessRun run) {
        runs.remove(run);
        if (closed.get() && runs.isEmpty()) {
            allDone.tryEmitEmpty();
        }
    }

    /** Ties a lease to its pooled slot: the slot goes back only once the lease's process is gone. */
    private final class LeaseScope {
        final DefaultLease lease = new DefaultLease(DefaultProcessEngine.this);
        final PooledRef<Slot> ref;

        LeaseScope(PooledRef<Slot> ref) {
            this.ref = ref;
            ref.poolable().used();
        }

        Mono<Void> release() {
            return lease.closeWhenIdle().then(ref.release());
        }
    }
}
