package dev.procflux.internal;

import dev.procflux.BackpressurePolicy;
import dev.procflux.Command;
import dev.procflux.EngineMetrics;
import dev.procflux.EngineOptions;
import dev.procflux.Lease;
import dev.procflux.ProcessAcquireTimeoutException;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessExitException;
import dev.procflux.ProcessOutput;
import dev.procflux.ProcessResult;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
import reactor.core.scheduler.Scheduler;
import reactor.pool.InstrumentedPool;
import reactor.pool.PoolBuilder;
import reactor.pool.PooledRef;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The engine: a reactor-pool of {@link Slot}s bounds how many processes live at once; each call acquires a slot,
 * launches with the {@link Launcher} and releases the slot once the process is gone.
 */
final class DefaultProcessEngine implements ProcessEngine, RunScheduler {
    private static final Logger log = Loggers.getLogger(DefaultProcessEngine.class);
    private static final int STDERR_TAIL_BYTES = 4096;

    private final EngineOptions options;
    private final InstrumentedPool<Slot> pool;
    private final AtomicInteger slotIds = new AtomicInteger();
    // every run from creation to finish; close() kills them, metrics() sums their buffers
    private final Set<ProcessRun> runs = ConcurrentHashMap.newKeySet();
    private final Lifecycle lifecycle;
    private final EngineStats stats;
    private final LongAdder budgetPauses = new LongAdder();
    // output bytes queued in all streams together; added on the I/O threads, subtracted on the delivery threads
    private final AtomicLong buffered = new AtomicLong();
    // what the running streams may still queue before their pauses take hold (StreamMarks.reserve of each stream's
    // stdout pipe, from its process's start to its finish); added and subtracted by the streams under their pipe
    // locks. The streams about to start are counted apart (reserved()), the streams waiting for a slot not at all
    private final AtomicLong reserved = new AtomicLong();
    // streams holding a slot (the engine's or a lease's), from its grant to their finish; written through each
    // stream's SlotClaim (each counts itself once in and once out)
    private final AtomicInteger slottedStreams = new AtomicInteger();
    // streams waiting for one of the engine's slots, from their acquire to its grant, refusal or cancel; written
    // through each stream's SlotClaim
    private final AtomicInteger waitingStreams = new AtomicInteger();
    // the engine's slots held by runs and leases: incremented at the grant, decremented just before the release (a
    // slot on its way back counts as free already, never as held by nobody)
    private final AtomicInteger heldSlots = new AtomicInteger();
    // leases whose stream ended and that still hold their slot, idle: a waiting stream may get the slot any moment,
    // so it keeps the floor its stream's reserve made room for until the lease runs again or gives it back; written
    // through DefaultLease (each lease counts itself once in and once out)
    private final AtomicInteger endedLeaseStreams = new AtomicInteger();
    // streams whose process started and whose reserve is in `reserved`, until their finish; written by the streams
    // under their pipe locks (each counts itself once in and once out)
    private final AtomicInteger startedStreams = new AtomicInteger();
    // stream drains scheduled on the delivery scheduler and not yet started: added by the thread that schedules one,
    // subtracted by the delivery thread as it starts it
    private final AtomicInteger waitingDrains = new AtomicInteger();
    private final RunContext runContext;

    DefaultProcessEngine(EngineOptions options, Launcher launcher) {
        this(options, launcher, KillQueue.ownThreads("engine"));
    }

    /** @param kills where the engine's process trees are killed; shut down once the engine is closed and empty */
    DefaultProcessEngine(EngineOptions options, Launcher launcher, KillQueue kills) {
        this.options = Objects.requireNonNull(options, "options");
        this.stats = new EngineStats(options);
        this.runContext = new RunContext(Objects.requireNonNull(launcher, "launcher"), options.launchScheduler(), options.deliveryScheduler(),
                options.timerScheduler(), kills, timeoutClock(), options.killGracePeriod(), stats, this::runDone);
        this.pool = PoolEventsRecorder.install(
                PoolBuilder.from(Mono.fromSupplier(() -> new Slot(slotIds.incrementAndGet())))
                        .sizeBetween(0, options.maxConcurrency())
                        .maxPendingAcquire(options.maxPendingAcquire())
                        .pendingAcquireTimer((task, delay) -> timeoutClock()
                                .schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS)),
                options.slotPoolEvents(), "engine slots")
                .buildPool();
        this.lifecycle = new Lifecycle("engine", options, () -> {
            log.debug("closing engine: {} runs to stop", runs.size());
            // fails callers waiting for a slot; slots in use are destroyed as they come back
            pool.disposeLater().subscribe(null, e -> log.warn("slot pool dispose failed", e));
        }, this::killAll, runs::isEmpty, this::metrics);
        // the kill threads end once the engine is closed and empty, not at the close: a run cancelled just before it
        // may still be waiting for its kill
        lifecycle.killsOn(kills);
        lifecycle.installShutdownHook();
    }

    /** Times the limits the user set (command and acquire timeouts): the virtual clock in tests. */
    private Scheduler timeoutClock() {
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
                    return acquireSlot().doOnNext(ref -> stats.slotAcquired(requested));
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
        return stats.fill(EngineMetrics.builder()).acquired(pool.metrics().acquiredSize())
                .pending(pool.metrics().pendingAcquireSize()).maxConcurrency(options.maxConcurrency())
                .bufferedBytes(buffered.get()).reservedBytes(reserved()).budgetPauses(budgetPauses.sum()).build();
    }

    @Override
    public boolean isDisposed() {
        return lifecycle.isClosed();
    }

    @Override
    public EngineOptions options() {
        return options;
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
        for (ProcessRun run : runs) {
            run.close();
        }
    }

    // ---- runs

    Mono<ProcessResult> execute(Command command, RunScheduler slots) {
        return Mono.create(sink -> {
            ProcessRun run = new ProcessRun(runContext, command, new CaptureOutput(command, sink, options.deliveryScheduler()));
            sink.onCancel(run::cancel);
            submit(run, slots);
        });
    }

    Flux<ProcessOutput> stream(Command command, RunScheduler slots, @Nullable LongConsumer onStart) {
        return Flux.from(subscriber -> {
            StreamOutput out = new StreamOutput(command, this, Operators.toCoreSubscriber(subscriber), onStart);
            ProcessRun run = new ProcessRun(runContext, command, out);
            SlotClaim claim = new SlotClaim(slots instanceof DefaultLease ? (DefaultLease) slots : null);
            run.onFinish(() -> {
                // the reserve goes before the stream stops holding its slot: in between the engine counts a floor
                // for a slot already released (ProcessRun releases it before this hook), never too little
                out.finished();
                claim.finished();
            });
            subscriber.onSubscribe(out);
            out.attach(run);
            submit(run, slots == this ? r -> schedule(r, claim) : r -> {
                // a lease grants its slot at once or refuses (and the run finishes, giving the claim back)
                claim.granted();
                slots.schedule(r);
            });
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
        if (lifecycle.isClosed()) {
            stats.rejected();
            run.slotRefused(ProcessRun.closedError(run.command()));
            return;
        }
        slots.schedule(run);
    }

    /** The engine's own slots: reactor-pool leases. */
    @Override
    public void schedule(ProcessRun run) {
        schedule(run, null);
    }

    /** @param claim the stream's claim, counted as waiting from now to the grant; null for a run that is no stream */
    private void schedule(ProcessRun run, @Nullable SlotClaim claim) {
        long requested = System.nanoTime();
        if (claim != null) {
            claim.waiting();
        }
        run.acquisition(pooledSlot().subscribe(
                ref -> {
                    ref.poolable().used();
                    stats.slotAcquired(requested);
                    // the stream holds the slot before the slot counts as held and before the stream stops waiting:
                    // the slot's floor is counted twice for a moment, never not at all
                    int before = claim == null ? SlotClaim.DONE : claim.granted();
                    heldSlots.incrementAndGet();
                    if (claim != null && before == SlotClaim.WAITING) {
                        claim.stoppedWaiting();
                    }
                    run.slotGranted(() -> {
                        heldSlots.decrementAndGet();
                        ref.release().subscribe(null, e -> log.warn("slot release failed", e));
                    });
                },
                error -> {
                    stats.rejected();
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

    private Mono<PooledRef<Slot>> acquireSlot() {
        return pooledSlot().onErrorMap(e -> {
            stats.rejected();
            return translate(e, null);
        });
    }

    private Throwable translate(Throwable error, @Nullable Command command) {
        String what = command == null ? "lease" : "'" + command.commandLine() + "'";
        return Lifecycle.acquireError(error, "engine overloaded: cannot run " + what, options.maxPendingAcquire(),
                this::poolState, (state, cause) -> new ProcessAcquireTimeoutException(
                        command == null ? "" : command.commandLine(), options.acquireTimeout(), state, cause),
                "engine closed: cannot run " + what);
    }

    private String poolState() {
        return "acquired=" + pool.metrics().acquiredSize() + "/" + options.maxConcurrency() + ", pending="
                + pool.metrics().pendingAcquireSize();
    }

    /** Called by {@link StreamOutput}: the output queued for one process now. */
    void observeBuffered(long bytes) {
        stats.observeBuffered(bytes);
    }

    /** Called by {@link StreamOutput} before it schedules its drain on the delivery scheduler. */
    void drainScheduled() {
        waitingDrains.incrementAndGet();
    }

    /** Called by {@link StreamOutput} as its drain starts on a delivery thread (or when scheduling it failed). */
    void drainStarted() {
        waitingDrains.decrementAndGet();
    }

    /** @return whether the drain of another stream waits for a thread of the delivery scheduler */
    boolean hasWaitingDrains() {
        return waitingDrains.get() > 0;
    }

    void budgetPaused() {
        budgetPauses.increment();
    }

    /** @return the output bytes queued in all streams after adding {@code delta} */
    long addBuffered(long delta) {
        return buffered.addAndGet(delta);
    }

    /** @param delta a stream's change of its reserve ({@link StreamMarks#reserve}) */
    void addReserved(long delta) {
        reserved.addAndGet(delta);
    }

    /**
     * Called by {@link StreamOutput} once its process started and its reserve is counted ({@code +1}), and at its
     * finish before it gives the reserve back ({@code -1}): in both orders the engine counts too much for a moment,
     * never too little.
     */
    void streamsStarted(int delta) {
        startedStreams.addAndGet(delta);
    }

    /**
     * @return what the streams may still queue before their pauses take hold: the reserves of the running streams,
     *         and {@link StreamMarks#BUDGET_FLOOR} for each slot a stream may start in now: a slot held by a stream
     *         whose process has not started (yet), and a slot a waiting stream may take any moment
     *         ({@link #slotsWaitedFor}). A stream waiting for a slot has no process and can queue nothing, so it holds
     *         nothing, and a slot held by an {@code execute} or a lease is free for none of them; the floor of the
     *         slot a stream is about to take is counted from the moment the slot is free for it (for a slot passing
     *         from a stream, before that stream's finish gives back its reserve, which is at least as much), so a
     *         stream that starts with a one-page pipe adds nothing to what was counted
     */
    long reserved() {
        if (options.backpressure() != BackpressurePolicy.PAUSE) {
            return reserved.get();
        }
        // read in the reverse order of the writes of a grant (claim, held slot, end of the wait) and of a start
        // (reserve, started count): a read racing with either counts the slot twice, never not at all
        int free = slotsWaitedFor();
        int started = startedStreams.get();
        long reserves = reserved.get();
        int starting = Math.max(0, slottedStreams.get() - started) + free;
        return reserves + starting * StreamMarks.BUDGET_FLOOR;
    }

    /**
     * @return the slots that streams waiting for one may take any moment (at most one each): the engine's free
     *         slots, and those of idle leases whose stream ended (whose floor a release hands on)
     */
    private int slotsWaitedFor() {
        // read in the reverse order of the writes of a lease's release (held slot, then its ended stream)
        int waiting = waitingStreams.get();
        int ended = endedLeaseStreams.get();
        return Math.min(waiting, Math.max(0, options.maxConcurrency() - heldSlots.get()) + ended);
    }

    /** Called as a stream on {@code lease} finishes, before it stops counting as holding the slot. */
    void leaseStreamEnded(DefaultLease lease) {
        if (lease.streamEnded()) {
            endedLeaseStreams.incrementAndGet();
        }
    }

    /** Called as {@code lease} grants its slot to its next run, or once it gave the slot back to the engine. */
    void leaseSlotMoved(DefaultLease lease, boolean released) {
        if (lease.slotMoved(released)) {
            endedLeaseStreams.decrementAndGet();
        }
    }

    /**
     * @param total the engine's queued output, as {@link #addBuffered} returned it
     * @return whether the queued output plus what the streams may still queue before a pause takes hold
     *         ({@link #reserved()}) is over the budget: every stream that reads then pauses, so the total never passes
     *         the budget
     */
    boolean isOverBudget(long total) {
        long budget = options.maxTotalBufferedBytes();
        return budget >= 0 && total + reserved() > budget;
    }

    /** @return whether the engine is over its budget now (no stream may earn a larger mark or pipe then) */
    boolean isOverBudget() {
        return isOverBudget(buffered.get());
    }

    /** @return how many more output bytes all streams together may queue before the budget is reached */
    long budgetRoom() {
        long budget = options.maxTotalBufferedBytes();
        return budget < 0 ? Long.MAX_VALUE : budget - buffered.get() - reserved();
    }

    /**
     * @return whether the budget could give every stream that may run at once ({@link #mayRun}) the largest mark;
     *         beyond that many streams ({@code maxTotalBufferedBytes / highWaterBytes}) the budget, not the marks,
     *         bounds what they hold, and marks earned by some streams and lost by others make equal subscribers
     *         unequal
     */
    boolean hasRoomForLargestMarks() {
        long budget = options.maxTotalBufferedBytes();
        return budget < 0 || (long) mayRun() * options.highWaterBytes() <= budget;
    }

    /**
     * @return the streams that may run at once: those that run, those holding a slot for their process, and those
     *         waiting for a slot they may take any moment ({@link #slotsWaitedFor}), at most {@code maxConcurrency}
     *         (the others wait for a slot that a run or a lease holds, and hold nothing)
     */
    private int mayRun() {
        int free = slotsWaitedFor();
        int started = startedStreams.get();
        return Math.min(Math.max(started, slottedStreams.get()) + free, options.maxConcurrency());
    }

    /**
     * @param total the engine's queued output, as {@link #addBuffered} returned it
     * @return whether the queued output plus the reserves pass half the budget: a stream holding more than two full
     *         pipes whose subscriber asks for nothing then pauses at its next read ({@link StreamMarks#holdsTheMost}), so the streams holding the most
     *         stop first and those whose subscribers keep up go on. The other half is room for what the streams
     *         below that hold may still add: with the fair pipe ({@link #fairPipe}), up to three pipes each
     */
    boolean isOverSoftLimit(long total) {
        long budget = options.maxTotalBufferedBytes();
        return budget >= 0 && total + reserved() > budget / 2;
    }

    /** @return whether the engine is over the soft limit now ({@link #isOverSoftLimit(long)}) */
    boolean isOverSoftLimit() {
        return isOverSoftLimit(buffered.get());
    }

    /**
     * @return the stdout pipe every stream that may run at once ({@link #mayRun}) may have ({@link StreamMarks#fairPipe}):
     *         the same for equal streams, whatever the order in which they started or drained, and however many wait
     *         for a slot
     */
    int fairPipe() {
        long budget = options.maxTotalBufferedBytes();
        if (budget < 0) {
            return StreamMarks.MAX_PIPE;
        }
        return StreamMarks.fairPipe(budget, mayRun());
    }

    private void runDone(ProcessRun run) {
        runs.remove(run);
        lifecycle.checkDone();
    }

    /** Ties a lease to its pooled slot: the slot goes back only once the lease's process is gone. */
    private final class LeaseScope {
        final DefaultLease lease = new DefaultLease(DefaultProcessEngine.this);
        final PooledRef<Slot> ref;

        LeaseScope(PooledRef<Slot> ref) {
            this.ref = ref;
            ref.poolable().used();
            heldSlots.incrementAndGet();
        }

        /** Called once, by the scope's completion, error or cancel. */
        Mono<Void> release() {
            return lease.closeWhenIdle().then(Mono.defer(() -> {
                heldSlots.decrementAndGet();
                leaseSlotMoved(lease, true);
                return ref.release();
            }));
        }
    }

    /**
     * One stream's place in the slot counts: waiting for an engine slot, holding a slot (the engine's or a lease's),
     * then done. The wait is counted out once, by the grant or by a finish that comes first (a cancel while waiting).
     */
    private final class SlotClaim {
        private static final int NEW = 0;
        private static final int WAITING = 1;
        private static final int GRANTED = 2;
        private static final int DONE = 3;
        // NEW -> WAITING -> GRANTED -> DONE, any step may be skipped; CAS by the scheduling thread, the slot's grant
        // and the run's finish
        private final AtomicInteger state = new AtomicInteger(NEW);
        // the lease the stream runs on; null for a stream on the engine's slots
        private final @Nullable DefaultLease lease;

        SlotClaim(@Nullable DefaultLease lease) {
            this.lease = lease;
        }

        /** Waits for an engine slot. */
        void waiting() {
            if (state.compareAndSet(NEW, WAITING)) {
                waitingStreams.incrementAndGet();
            }
        }

        /**
         * Holds the slot, counted before the state says so (a finish that sees the grant counts it out).
         *
         * @return the state before: {@code WAITING} when the caller is to count the wait out ({@link #stoppedWaiting})
         *         once the slot counts as held, {@code DONE} when the run finished already and hands the slot back
         */
        int granted() {
            slottedStreams.incrementAndGet();
            int s = state.get();
            while (s == NEW || s == WAITING) {
                if (state.compareAndSet(s, GRANTED)) {
                    return s;
                }
                s = state.get();
            }
            slottedStreams.decrementAndGet();
            return DONE;
        }

        void stoppedWaiting() {
            waitingStreams.decrementAndGet();
        }

        /** The run finished (after its reserve was given back). */
        void finished() {
            int s = state.getAndSet(DONE);
            if (s == GRANTED) {
                if (lease != null) {
                    leaseStreamEnded(lease);
                }
                slottedStreams.decrementAndGet();
            }
            else if (s == WAITING) {
                waitingStreams.decrementAndGet();
            }
        }
    }
}
