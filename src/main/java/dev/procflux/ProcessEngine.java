package dev.procflux;

import dev.procflux.internal.ApiFactory;
import dev.procflux.internal.Arguments;
import dev.procflux.internal.StreamMarks;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Runs operating-system processes as {@link Mono} and {@link Flux}, with at most
 * {@link EngineOptions#maxConcurrency()} of them alive at once across all callers.
 *
 * <pre>{@code
 * try (ProcessEngine engine = ProcessEngine.builder().maxConcurrency(8).build()) {
 *     ProcessResult r = engine.execute(Command.of("git", "log", "--oneline")).block();
 * }
 * }</pre>
 *
 * <p>Thread-safe: build one engine per application and share it. {@link #close()} kills every process tree the
 * engine started.
 *
 * <p><b>Kills:</b> whatever ends a run early (a cancel, its timeout, its output limit, a close) only queues the kill
 * of its process tree. The engine's own daemon threads ({@code procflux-engine-kill-N}, at most 4 and no more than
 * the CPUs, started on demand, ended after 10 s without a kill and once a closed engine has no process left) freeze,
 * list and signal the tree, so the thread that cancels, often a Netty event loop, never reads {@code /proc} or sends
 * a signal. The slot is released only once the process is gone.
 */
public interface ProcessEngine extends ProcessRunner, Disposable, AutoCloseable {

    /** @return an engine with the default options (see {@link Builder}) */
    static ProcessEngine create() {
        return builder().build();
    }

    /** @return a builder with the default options */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Runs {@code scope} on one slot: every command it runs through the {@link Lease} counts as one unit of
     * concurrency. The slot is released when the returned publisher terminates or is cancelled, and only once the
     * lease's process (if any) is gone.
     *
     * <p><b>Laziness:</b> cold; the slot is acquired on subscription.
     * <p><b>Threading:</b> {@code scope} is called on the thread that delivers the slot.
     * <p><b>Backpressure:</b> that of the publisher {@code scope} returns.
     * <p><b>Cancellation:</b> cancels the scope's publisher, which kills its running process.
     * <p><b>Errors:</b> those of the scope's publisher, or, when no slot is given, a {@link ProcessPoolException}
     * or {@link ProcessAcquireTimeoutException}.
     *
     * @param scope the work to run on the slot
     * @param <T> the element type
     * @return the scope's elements
     * @throws NullPointerException if {@code scope} is null
     */
    <T> Flux<T> withLease(Function<? super Lease, ? extends Publisher<T>> scope);

    /**
     * A process as a {@code Flux} operator: the upstream bytes go to the command's stdin and its stdout comes out,
     * e.g. {@code input.transform(engine.pipe(Command.of("gzip", "-c")))}. Pipes compose:
     * {@code input.transform(engine.pipe(gzip)).transform(engine.pipe(gunzip))}.
     *
     * <p><b>Laziness:</b> cold; each subscription to the result starts one process and subscribes upstream once.
     * <p><b>Threading:</b> output is delivered on {@link EngineOptions#deliveryScheduler()}.
     * <p><b>Backpressure:</b> end to end: upstream is requested only as the process's stdin pipe takes the bytes,
     * and the process is paused while the downstream lags (see {@link BackpressurePolicy}).
     * <p><b>Cancellation:</b> kills the process tree and cancels upstream.
     * <p><b>Errors:</b> {@link ProcessExitException} (with the stderr tail) when the process exits non-zero,
     * after all its stdout; an upstream error kills the process and is propagated; otherwise as
     * {@link #stream(Command)}.
     *
     * @param command the process; its own stdin setting is replaced by the upstream
     * @return the operator
     * @throws NullPointerException if {@code command} is null
     */
    Function<Flux<ByteBuffer>, Flux<ByteBuffer>> pipe(Command command);

    /** @return a snapshot of the engine's figures */
    EngineMetrics metrics();

    /**
     * @return whether the engine was disposed ({@link #dispose()}, {@link #disposeLater()} subscribed,
     *         {@link #disposeGracefully(Duration)} subscribed or {@link #close()}): no new process will start
     */
    @Override
    boolean isDisposed();

    /** @return the options the engine was built with */
    EngineOptions options();

    /**
     * Starts disposing without waiting: stops accepting work (new calls fail with
     * {@link ProcessPoolClosedException}), fails callers waiting for a slot with it, and kills every running
     * process tree (SIGTERM, {@link EngineOptions#killGracePeriod()}, SIGKILL). Idempotent; during a
     * {@link #disposeGracefully(Duration) graceful drain} it cuts the drain short. Never blocks.
     */
    @Override
    void dispose();

    /**
     * {@link #dispose()} as a {@code Mono}, like reactor-pool's {@code Pool.disposeLater()}.
     *
     * <p><b>Laziness:</b> lazy: nothing happens until subscription; subscribing starts disposing (once, however
     * often it is subscribed) and the {@code Mono} completes once every process the engine started is gone: the
     * descendants of each killed tree too, those that outlived the SIGTERM after their forced kill.
     * <p><b>Threading:</b> completes on {@link EngineOptions#deliveryScheduler()}, never on the NuProcess I/O thread.
     * <p><b>Cancellation:</b> cancelling stops waiting; disposal, once started, goes on.
     * <p><b>Errors:</b> none.
     *
     * @return completion once everything is released
     */
    Mono<Void> disposeLater();

    /**
     * Disposes gracefully: stops accepting work at once (new calls and callers still waiting for a slot fail with
     * {@link ProcessPoolClosedException}), lets the running processes finish for up to {@code drain}, then kills
     * whatever is left as {@link #dispose()} does (its callers get {@link ProcessPoolClosedException}).
     *
     * <p><b>Laziness:</b> lazy: nothing happens until subscription. Only the first disposal counts: a later
     * {@code disposeGracefully} does not change the drain, a later {@link #dispose()} cuts it short.
     * <p><b>Threading:</b> completes on {@link EngineOptions#deliveryScheduler()}, never on the NuProcess I/O thread.
     * <p><b>Cancellation:</b> cancelling stops waiting; disposal, once started, goes on.
     * <p><b>Errors:</b> none.
     *
     * @param drain how long running processes may take to finish: {@link Duration#ZERO} kills at once, a
     *        negative value waits without limit (see {@link Builder})
     * @return completion once every process the engine started is gone
     * @throws NullPointerException if {@code drain} is null
     */
    Mono<Void> disposeGracefully(Duration drain);

    /**
     * {@link #dispose()}, then waits up to twice the kill grace period (plus a second) for every process to be
     * gone, counted from when the last of the kills has started on the engine's kill threads; for
     * try-with-resources. Idempotent.
     *
     * <p>"Every process" is every process of every tree the engine killed, not only each run's root: a descendant
     * that outlives the SIGTERM gets its SIGKILL after the grace period, and {@code close()} returns only once that
     * kill (and the search for escaped processes still holding the output pipes) has run, so a JVM that exits right
     * after {@code close()} leaves nothing behind. A tree that dies of the SIGTERM ends its wait at once, not at the
     * end of the grace period. The bound leaves room for the grace period, the forced kill and the exit of what it
     * killed.
     */
    @Override
    void close();

    /**
     * Configures a {@link ProcessEngine}. Not thread-safe: configure on one thread, then call {@link #build()}.
     *
     * <p><b>Limits.</b> One rule holds for every count and {@link Duration} setting of procflux (this builder,
     * {@link WorkerPool.Builder}, {@link Command}, {@link ProcessEngine#disposeGracefully(Duration)}), as in
     * r2dbc-pool: <b>zero means none or at once</b> ({@code maxPendingAcquire(0)}: nobody may wait;
     * {@code acquireTimeout(Duration.ZERO)}: fail at once when no slot is free; {@code killGracePeriod(ZERO)}:
     * SIGKILL at once), and <b>a negative value means no limit</b> ({@link #NO_LIMIT} and {@link #NO_LIMIT_TIME}
     * spell it). A setting for which "no limit" (or "none") makes no sense rejects it, and its Javadoc says so. The
     * accessors of {@link EngineOptions} and {@link WorkerPoolOptions} return {@code -1} or {@link #NO_LIMIT_TIME}
     * for "no limit", whichever negative value was given.
     */
    final class Builder {
        /** "No limit" for a count setting: any negative value means the same. */
        public static final int NO_LIMIT = -1;
        /** "No limit" for a {@link Duration} setting: any negative duration means the same. */
        public static final Duration NO_LIMIT_TIME = Duration.ofSeconds(-1);

        int maxConcurrency = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        int maxPendingAcquire = 1024;
        Duration acquireTimeout = NO_LIMIT_TIME;
        Duration killGracePeriod = Duration.ofSeconds(2);
        long maxBufferedBytes = 8L * 1024 * 1024;
        BackpressurePolicy backpressure = BackpressurePolicy.PAUSE;
        // the largest mark a fast stream earns; every stream starts at StreamMarks.INITIAL_MARK (docs/performance.md)
        long highWaterBytes = 4L * 1024 * 1024;
        long lowWaterBytes = 1024L * 1024;
        long maxTotalBufferedBytes = Math.min(256L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 4);
        Scheduler deliveryScheduler = Schedulers.parallel();
        // null until build: the default is created lazily so a caller's own scheduler never starts it
        @Nullable Scheduler launchScheduler;
        Scheduler timerScheduler = Schedulers.parallel();
        @Nullable Scheduler virtualTime;
        boolean closeOnShutdown = true;
        boolean directReads;
        EngineEvents events = EngineEvents.NONE;
        PoolEvents slotPoolEvents = PoolEvents.NONE;

        Builder() {
        }

        Builder(EngineOptions o) {
            maxConcurrency = o.maxConcurrency();
            maxPendingAcquire = o.maxPendingAcquire();
            acquireTimeout = o.acquireTimeout();
            killGracePeriod = o.killGracePeriod();
            maxBufferedBytes = o.maxBufferedBytes();
            backpressure = o.backpressure();
            highWaterBytes = o.highWaterBytes();
            lowWaterBytes = o.lowWaterBytes();
            maxTotalBufferedBytes = o.maxTotalBufferedBytes();
            deliveryScheduler = o.deliveryScheduler();
            launchScheduler = o.launchScheduler();
            timerScheduler = o.timerScheduler();
            virtualTime = o.virtualTime().orElse(null);
            closeOnShutdown = o.closeOnShutdown();
            directReads = o.directReads();
            events = o.events();
            slotPoolEvents = o.slotPoolEvents();
        }

        /**
         * The most processes alive at once across all callers. Default: twice the CPU count, at least 4.
         *
         * @param value at least 1; "no limit" is not offered: the limit is what protects the machine
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is below 1
         */
        public Builder maxConcurrency(int value) {
            this.maxConcurrency = Arguments.atLeast(value, 1, "maxConcurrency");
            return this;
        }

        /**
         * The most callers waiting for a slot; one more fails at once with
         * {@link ProcessPoolOverloadedException}. As reactor-pool's {@code maxPendingAcquire}. Default 1024.
         *
         * @param value 0 (no caller may wait), positive, or negative for no limit
         * @return this builder
         */
        public Builder maxPendingAcquire(int value) {
            this.maxPendingAcquire = Arguments.countOrNoLimit(value);
            return this;
        }

        /**
         * How long a caller waits for a slot before failing with {@link ProcessAcquireTimeoutException}. The
         * timeout of reactor-pool's {@code acquire(Duration)}, r2dbc-pool's {@code maxAcquireTime}; named after
         * what it limits. Default: no limit (the wait is still bounded in size by {@link #maxPendingAcquire(int)}).
         *
         * @param value {@link Duration#ZERO} (fail at once when no slot is free), positive, or negative for no limit
         * @return this builder
         */
        public Builder acquireTimeout(Duration value) {
            this.acquireTimeout = Arguments.orNoLimit(value, "acquireTimeout");
            return this;
        }

        /**
         * Time between SIGTERM and SIGKILL when a process tree is killed (timeout, cancel, dispose). Default 2s.
         *
         * @param value zero (SIGKILL at once) or positive
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is negative: a kill always ends in SIGKILL
         */
        public Builder killGracePeriod(Duration value) {
            this.killGracePeriod = Arguments.nonNegative(value, "killGracePeriod");
            return this;
        }

        /**
         * The most output bytes held per process for a stream subscriber that has not requested them, whatever the
         * policy: under {@link BackpressurePolicy#FAIL} the limit, under {@link BackpressurePolicy#PAUSE} a safety net
         * for output that pausing cannot stop (a daemonized grandchild). Default 8 MiB.
         *
         * @param value at least 64 KiB (one read)
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is below 65536
         */
        public Builder maxBufferedBytes(long value) {
            this.maxBufferedBytes = Arguments.atLeast(value, 65536L, "maxBufferedBytes");
            return this;
        }

        /**
         * What streams do when a subscriber lags. Default {@link BackpressurePolicy#PAUSE}.
         *
         * @param value the policy
         * @return this builder
         */
        public Builder backpressure(BackpressurePolicy value) {
            this.backpressure = Objects.requireNonNull(value, "backpressure");
            return this;
        }

        /**
         * The largest bound on queued output per process under {@link BackpressurePolicy#PAUSE}, and the mark at
         * which a paused process is resumed at that bound. Marks adapt per stream: a stream starts with a 128 KiB
         * high-water mark (or {@code high}, if smaller) and earns a larger one, four times at a time up to
         * {@code high}, only when a pause left its subscriber asking for more with nothing queued; a subscriber that
         * stops asking while its process is paused falls back to 128 KiB. Smaller marks resume at {@code low} scaled
         * to the mark. A process is paused early enough (80 KiB below its mark) that what is still in its pipe when
         * it stops keeps the queue under {@code mark + 64 KiB}: a stalled subscriber costs about 192 KiB whatever
         * {@code high} is, a fast one up to {@code high + 64 KiB}. A stream's stdout pipe follows its mark (a quarter
         * of it, from 64 KiB up to 1 MiB), so a fast stream wakes the engine less often per byte. Marks grow only
         * while {@link #maxTotalBufferedBytes(long)} could give every stream that may run at once (the open ones, at
         * most the slots no {@code execute} or lease holds) {@code high} (64 streams with the defaults); with more every
         * mark stays at 128 KiB, so that subscribers that drain alike get alike shares of the CPU. Defaults 4 MiB and
         * 1 MiB.
         *
         * @param high the largest bound, at least 128 KiB
         * @param low the resume mark at that bound, at least 0 and below {@code high - 80 KiB}
         * @return this builder
         * @throws IllegalArgumentException if the marks are out of range
         */
        public Builder watermarks(long high, long low) {
            Arguments.atLeast(high, StreamMarks.INITIAL_MARK, "highWaterBytes");
            if (low < 0 || low >= high - StreamMarks.PAUSE_MARGIN) {
                throw new IllegalArgumentException("lowWaterBytes must be in [0, highWaterBytes - 81920), was " + low
                        + " with highWaterBytes=" + high);
            }
            this.highWaterBytes = high;
            this.lowWaterBytes = low;
            return this;
        }

        /**
         * The budget for output queued in all streams of the engine together, under
         * {@link BackpressurePolicy#PAUSE}. The engine counts against it, besides the queued bytes, each stream's
         * reserve from its process's start to its end: what the stream may still queue after the read that pauses it
         * (that read, what its stdout pipe holds, and what a write in progress pushes before the stop lands); bytes
         * that arrive while the stream is paused come out of its reserve, which returns whole at the resume. A
         * stream waiting for a slot ({@link #maxConcurrency(int)}) has no process, can queue nothing and holds
         * nothing of the budget, however many wait; only a slot free for one of them counts 12 KiB until its stream
         * starts (a slot an {@code execute} or a lease holds is free for none; an idle lease whose stream ended keeps
         * that stream's 12 KiB while streams wait, until it runs again or gives its slot back).
         * <ul>
         * <li>Every stream gets at most the same stdout pipe: the largest whose reserves, for as many streams as may
         * run at once (the open ones, at most the slots no {@code execute} or lease holds), take at most half the
         * budget (a stream on the default 64 KiB pipe reserves 144 KiB; one on a 1 MiB pipe 1,104 KiB; one on a
         * one-page, 4 KiB, pipe 12 KiB).</li>
         * <li>Once queued bytes and reserves pass half the budget, a stream holding more than two full pipes whose
         * subscriber asks for nothing pauses its process at its next read: the streams holding the most stop first,
         * and a stream whose subscriber keeps up goes on.</li>
         * <li>Once they pass the budget itself, every stream pauses its process at its next read and resumes it only
         * once its subscriber has taken everything queued, and no stream earns a larger mark or pipe.</li>
         * </ul>
         * <p><b>Guarantee:</b> the stdout output queued in all {@code PAUSE} streams together stays within the budget
         * whenever the budget is at least 12 KiB per stream that may run at once (the reserve of a stream with a
         * one-page pipe; streams waiting for a slot do not count),
         * except that a stream starting while the budget is already reached whose child wrote more than its pipe
         * before the start adds up to 64 KiB and the stop slack beyond it (its first read).
         * Not counted in the reserve: what a paused child's stderr pipe still holds (up to 64 KiB), and
         * {@link BackpressurePolicy#FAIL} streams, which never pause.
         * Default: a quarter of the maximum heap, at most 256 MiB.
         *
         * @param value at least 64 KiB, or negative ({@link #NO_LIMIT}) for no budget (each stream is still bounded by
         *        its own mark); zero is rejected
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is between 0 and 65535
         */
        public Builder maxTotalBufferedBytes(long value) {
            if (value >= 0 && value < 65536) {
                throw new IllegalArgumentException("maxTotalBufferedBytes must be >= 65536 or negative (no limit), was "
                        + value);
            }
            this.maxTotalBufferedBytes = Math.max(value, NO_LIMIT);
            return this;
        }

        /**
         * Where results and output reach subscribers. Default {@link Schedulers#parallel()}: do not block in
         * downstream operators without {@code publishOn} to a blocking-friendly scheduler.
         *
         * @param value the scheduler
         * @return this builder
         */
        public Builder deliveryScheduler(Scheduler value) {
            this.deliveryScheduler = Objects.requireNonNull(value, "deliveryScheduler");
            return this;
        }

        /**
         * Where processes are launched; launching blocks for about a millisecond, so this must allow blocking.
         * Default: one daemon thread, {@code procflux-launch}, shared by every engine of the JVM. NuProcess
         * serialises launches behind a global lock anyway, so more threads add footprint, not throughput.
         *
         * @param value the scheduler
         * @return this builder
         */
        public Builder launchScheduler(Scheduler value) {
            this.launchScheduler = Objects.requireNonNull(value, "launchScheduler");
            return this;
        }

        /**
         * Where timeouts and grace periods are timed. Default {@link Schedulers#parallel()}.
         *
         * @param value the scheduler
         * @return this builder
         */
        public Builder timerScheduler(Scheduler value) {
            this.timerScheduler = Objects.requireNonNull(value, "timerScheduler");
            return this;
        }

        /**
         * For tests of your own code with virtual time (reactor-test's {@code StepVerifier.withVirtualTime} and
         * {@code VirtualTimeScheduler}): times the limits you set, {@link Command#withTimeout(Duration)} and
         * {@link #acquireTimeout(Duration)}, on {@code clock}, and launches each process synchronously on the
         * subscribing thread (as {@code launchScheduler(Schedulers.immediate())}), so that a process's timeout is
         * armed before the test advances the clock. Kill grace periods and the engine's own checks stay on
         * {@link #timerScheduler(Scheduler)}, in real time, so that processes are cleaned up even once the test's
         * clock is disposed; results are still delivered on {@link #deliveryScheduler(Scheduler)}. Tests only: a
         * launch then blocks the subscribing thread for about a millisecond. Default: no virtual clock.
         *
         * <pre>{@code
         * VirtualTimeScheduler clock = VirtualTimeScheduler.create();
         * ProcessEngine engine = ProcessEngine.builder().virtualTime(clock).build();
         * StepVerifier.withVirtualTime(() -> myLookupWithTimeout(engine), () -> clock, Long.MAX_VALUE)
         *         .expectSubscription()
         *         .expectNoEvent(Duration.ofSeconds(5))
         *         .expectNext("fallback")
         *         .verifyComplete();
         * }</pre>
         *
         * @param clock the virtual clock
         * @return this builder
         */
        public Builder virtualTime(Scheduler clock) {
            this.virtualTime = Objects.requireNonNull(clock, "clock");
            this.launchScheduler = Schedulers.immediate();
            return this;
        }

        /**
         * Whether a JVM shutdown hook closes the engine (SIGTERM, grace period, SIGKILL for every process tree it
         * started) when the JVM exits normally or on SIGTERM/SIGINT. Default {@code true}. The hook is removed when
         * the engine is closed. Each {@link WorkerPool} built on the engine installs a hook of its own under the
         * same setting. Nothing can run when the JVM itself is killed with SIGKILL.
         *
         * @param value whether to install the hook
         * @return this builder
         */
        public Builder closeOnShutdown(boolean value) {
            this.closeOnShutdown = value;
            return this;
        }

        /**
         * Whether {@link ProcessEngine#stream(Command)}, {@link ProcessEngine#lines(Command)} and
         * {@link ProcessEngine#pipe(Command)} read the child's stdout on the {@link #deliveryScheduler(Scheduler)}, as
         * their subscriber asks, instead of on NuProcess's shared I/O thread. Default {@code false}.
         * <ul>
         * <li><b>Throughput:</b> one thread reads and delivers: a fast subscriber gets about what a JDK
         * {@code InputStream} loop gets from the same pipe (see docs/performance.md), where the default path hands
         * each chunk from the I/O thread to a delivery thread.</li>
         * <li><b>Backpressure:</b> stdout is read only while the subscriber has demand, so a subscriber that stops
         * asking leaves the child blocked in {@code write} once its stdout pipe is full: no stdout bytes are queued
         * and the process is not stopped with SIGSTOP for them. Stdout chunks are the reads, up to 64 KiB each.
         * Stderr is read and queued as before: the watermarks, the pause and {@link #maxTotalBufferedBytes(long)}
         * apply to it.</li>
         * <li><b>Memory:</b> the stdout pipe (kernel memory, shown by no metric) starts at 64 KiB (less when the
         * engine's budget gives every stream that may run less) and grows, up to 1 MiB, only while the subscriber,
         * still asking for more, reads whole pipes' worth; at a stall it shrinks back to 64 KiB when it holds at most
         * that, and otherwise keeps what it had without growing. A stream that stalls without having drained a full
         * pipe holds 64 KiB; one that stalls right after draining fast may hold up to 1 MiB (see
         * docs/getting-started.md).</li>
         * <li><b>Threading:</b> a delivery thread runs the {@code read} system calls (non-blocking, never waiting);
         * one JVM-wide daemon thread, {@code procflux-stdout-poll}, learns when an empty pipe has data again and
         * only schedules the stream's delivery.</li>
         * <li><b>Scope:</b> only under {@link BackpressurePolicy#PAUSE} (under {@code FAIL} a lagging subscriber must
         * be detected, which needs the bytes read), and only on Linux: elsewhere the option is ignored, since it
         * relies on Linux's {@code dup3}, {@code F_SETPIPE_SZ} and epoll. {@link ProcessEngine#execute(Command)}
         * reads as before.</li>
         * </ul>
         *
         * @param value whether streams read their stdout on the delivery scheduler
         * @return this builder
         */
        public Builder directReads(boolean value) {
            this.directReads = value;
            return this;
        }

        /**
         * Adds observability callbacks (metrics, tracing). Each call adds one more listener (Micrometer's and
         * your own, say): every callback reaches every listener, in the order they were added, and one that throws
         * does not keep the others from being called. Default: none.
         *
         * @param value the callbacks; fast and non-blocking (see {@link EngineEvents})
         * @return this builder
         */
        public Builder addEvents(EngineEvents value) {
            this.events = ApiFactory.engineEvents(events, Objects.requireNonNull(value, "events"));
            return this;
        }

        /**
         * Adds callbacks for the figures of the slot pool itself (slots created, time queued, idle time, ...):
         * see {@link PoolEvents}. Each call adds one more listener, as {@link #addEvents(EngineEvents)} does.
         * Independent of {@link #addEvents(EngineEvents)}: add either, both or neither. Default: none.
         *
         * @param value the callbacks; fast and non-blocking (see {@link PoolEvents})
         * @return this builder
         */
        public Builder addSlotPoolEvents(PoolEvents value) {
            this.slotPoolEvents = ApiFactory.poolEvents(slotPoolEvents,
                    Objects.requireNonNull(value, "slotPoolEvents"));
            return this;
        }

        /**
         * @return the options, without building an engine
         * @throws IllegalArgumentException if, under {@link BackpressurePolicy#PAUSE}, {@code maxBufferedBytes} is
         *         not above {@code highWaterBytes + 64 KiB}
         */
        public EngineOptions buildOptions() {
            if (backpressure == BackpressurePolicy.PAUSE && maxBufferedBytes <= highWaterBytes + 64 * 1024) {
                throw new IllegalArgumentException("maxBufferedBytes must be above highWaterBytes + 65536: "
                        + maxBufferedBytes + " <= " + highWaterBytes + " + 65536");
            }
            return new EngineOptions(this, launchScheduler != null ? launchScheduler : ApiFactory.defaultLaunchScheduler());
        }

        /** @return a new engine; close it when done */
        public ProcessEngine build() {
            return ApiFactory.engine(buildOptions());
        }
    }
}
