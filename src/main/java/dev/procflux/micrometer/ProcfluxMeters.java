package dev.procflux.micrometer;

import dev.procflux.Command;
import dev.procflux.EngineEvents;
import dev.procflux.EngineMetrics;
import dev.procflux.PoolEvents;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessOutcome;
import dev.procflux.WorkerPool;
import dev.procflux.WorkerPoolMetrics;
import dev.procflux.WorkerRestartCause;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a {@link ProcessEngine}'s figures to Micrometer, following its naming conventions (dot-separated,
 * base units in the meter). Use it as the engine's {@link EngineEvents}, as the source of its slot pool's
 * {@link PoolEvents}, and as a binder:
 * <pre>{@code
 * ProcfluxMeters meters = new ProcfluxMeters(registry, Tags.of("engine", "media"));
 * ProcessEngine engine = ProcessEngine.builder().addEvents(meters).addSlotPoolEvents(meters.slotPoolEvents())
 *         .build();
 * meters.bind(engine);
 * WorkerPool<String, String> pool = WorkerPool.builder(command)
 *         .addPoolEvents(meters.workerPoolEvents("resize")).build(engine);
 * meters.bind(pool, "resize");
 * }</pre>
 *
 * <table>
 * <caption>Engine meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>from</th></tr>
 * <tr><td>{@code procflux.processes.alive}</td><td>gauge</td><td></td><td>{@link #bind(ProcessEngine)}</td></tr>
 * <tr><td>{@code procflux.slots.acquired}, {@code procflux.slots.pending}, {@code procflux.slots.max}</td>
 * <td>gauges</td><td></td><td>{@link #bind(ProcessEngine)}</td></tr>
 * <tr><td>{@code procflux.slot.acquire}</td><td>timer (every grant's wait for a slot, immediate ones too)</td>
 * <td></td><td>{@link EngineEvents}</td></tr>
 * <tr><td>{@code procflux.process.duration}</td><td>timer with histogram</td>
 * <td>{@code outcome}: succeeded, failed, timed_out, cancelled, start_failed</td><td>{@link EngineEvents}</td></tr>
 * <tr><td>{@code procflux.process.kills}</td><td>counter</td><td>{@code signal}: term, kill</td>
 * <td>{@link EngineEvents}</td></tr>
 * <tr><td>{@code procflux.output.buffered}</td><td>gauge, bytes</td><td></td><td>{@link #bind(ProcessEngine)}</td></tr>
 * <tr><td>{@code procflux.output.pauses}</td><td>function counter</td><td></td><td>{@link #bind(ProcessEngine)}</td>
 * </tr>
 * <tr><td>{@code procflux.calls.rejected}</td><td>function counter</td><td></td><td>{@link #bind(ProcessEngine)}</td>
 * </tr>
 * </table>
 *
 * <p>The pools' own figures come from Reactor Pool's metrics recorder, with millisecond resolution (see
 * {@link PoolEvents}). They have the same names under two prefixes: {@code procflux.slot} for the engine's slot
 * pool ({@link #slotPoolEvents()}) and {@code procflux.worker} for each worker pool
 * ({@link #workerPoolEvents(String)}, tagged {@code pool=name}):
 * <table>
 * <caption>Pool meters ({@code P} is {@code procflux.slot} or {@code procflux.worker})</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 * <tr><td>{@code P.allocation}</td><td>timer</td><td>{@code outcome}: success, failure</td>
 * <td>creating a slot; launching a worker (its success count equals {@code procflux.workers.started})</td></tr>
 * <tr><td>{@code P.pending}</td><td>timer</td><td>{@code outcome}: success, failure</td>
 * <td>time queued, for acquisitions that had to queue only (a cancelled wait counts as success; a timeout, a full
 * queue or a closed pool as failure)</td></tr>
 * <tr><td>{@code P.idle.duration}</td><td>timer</td><td></td>
 * <td>how long a slot or worker had been idle when it was handed out</td></tr>
 * <tr><td>{@code P.release}</td><td>timer</td><td></td><td>returns to the pool</td></tr>
 * <tr><td>{@code P.release.kept}</td><td>counter</td><td></td><td>returns that kept the slot or worker for reuse</td>
 * </tr>
 * <tr><td>{@code P.lifetime}</td><td>timer</td><td></td>
 * <td>age of a slot or worker when it was destroyed</td></tr>
 * <tr><td>{@code P.destroy}</td><td>timer</td><td></td>
 * <td>destructions, closing included (unlike {@code procflux.worker.restarts})</td></tr>
 * </table>
 * The pool's gauges (leased, idle, pending) are not repeated here: {@code procflux.slots.*} and
 * {@code procflux.workers.*} publish them.
 *
 * <p>Thread-safe; the event callbacks only record meters and never block.
 */
public final class ProcfluxMeters implements EngineEvents {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Timer acquire;
    private final Map<ProcessOutcome, Timer> durations = new EnumMap<>(ProcessOutcome.class);
    private final Counter terms;
    private final Counter kills;

    /**
     * @param registry where to publish
     * @param tags added to every meter (e.g. the engine's name)
     */
    public ProcfluxMeters(MeterRegistry registry, Tags tags) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.tags = Objects.requireNonNull(tags, "tags");
        this.acquire = Timer.builder("procflux.slot.acquire").description("Time waiting for a process slot")
                .tags(tags).register(registry);
        for (ProcessOutcome outcome : ProcessOutcome.values()) {
            durations.put(outcome, Timer.builder("procflux.process.duration")
                    .description("Process run time, from launch to exit")
                    .tags(tags).tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                    .publishPercentileHistogram()
                    .register(registry));
        }
        this.terms = Counter.builder("procflux.process.kills").description("Process trees signalled to die")
                .tags(tags).tag("signal", "term").register(registry);
        this.kills = Counter.builder("procflux.process.kills").description("Process trees signalled to die")
                .tags(tags).tag("signal", "kill").register(registry);
    }

    /**
     * Registers the engine's gauges (running, slots, buffered bytes) and snapshot counters. Call once per engine;
     * the meters hold the engine weakly, as Micrometer gauges do.
     *
     * @param engine the engine built with this object as its {@link EngineEvents}
     * @return this
     */
    public ProcfluxMeters bind(ProcessEngine engine) {
        Objects.requireNonNull(engine, "engine");
        gauge(engine, "procflux.processes.alive", "Processes alive", m -> m.alive(), null);
        gauge(engine, "procflux.slots.acquired", "Slots held", m -> m.acquired(), null);
        gauge(engine, "procflux.slots.pending", "Callers waiting for a slot", m -> m.pending(), null);
        gauge(engine, "procflux.slots.max", "Slot limit (maxConcurrency)", m -> m.maxConcurrency(), null);
        gauge(engine, "procflux.output.buffered", "Output held for lagging subscribers", m -> m.bufferedBytes(),
                "bytes");
        FunctionCounter.builder("procflux.output.pauses", engine, e -> e.metrics().pauses())
                .description("Times a process was paused because its subscriber lagged").tags(tags)
                .register(registry);
        FunctionCounter.builder("procflux.calls.rejected", engine, e -> e.metrics().rejected())
                .description("Calls refused: overloaded, acquire timeout or closed").tags(tags).register(registry);
        return this;
    }

    /**
     * Registers a worker pool's meters, tagged {@code pool=name}: {@code procflux.workers.alive}, {@code .idle},
     * {@code .busy}, {@code .pending} (gauges), {@code procflux.worker.requests} (function counter, tag
     * {@code outcome}: ok, failed), {@code procflux.workers.started} and {@code procflux.worker.restarts} (function
     * counter, tag {@code cause}: crash, timeout, protocol_error, cancelled, max_requests, evicted).
     *
     * @param pool the pool
     * @param name its name, as the {@code pool} tag
     * @return this
     */
    public ProcfluxMeters bind(WorkerPool<?, ?> pool, String name) {
        Objects.requireNonNull(pool, "pool");
        Tags poolTags = tags.and("pool", Objects.requireNonNull(name, "name"));
        workerGauge(pool, poolTags, "procflux.workers.alive", "Worker processes alive", WorkerPoolMetrics::alive);
        workerGauge(pool, poolTags, "procflux.workers.idle", "Workers waiting for a request", WorkerPoolMetrics::idle);
        workerGauge(pool, poolTags, "procflux.workers.acquired", "Workers handling a request", WorkerPoolMetrics::acquired);
        workerGauge(pool, poolTags, "procflux.workers.pending", "Callers waiting for a worker",
                WorkerPoolMetrics::pending);
        FunctionCounter.builder("procflux.worker.requests", pool, x -> x.metrics().succeeded())
                .description("Worker requests by outcome").tags(poolTags).tag("outcome", "ok").register(registry);
        FunctionCounter.builder("procflux.worker.requests", pool, x -> x.metrics().failed())
                .description("Worker requests by outcome").tags(poolTags).tag("outcome", "failed").register(registry);
        FunctionCounter.builder("procflux.workers.started", pool, x -> x.metrics().started())
                .description("Worker processes started").tags(poolTags).register(registry);
        for (WorkerRestartCause cause : WorkerRestartCause.values()) {
            FunctionCounter.builder("procflux.worker.restarts", pool, x -> x.metrics().restarts(cause))
                    .description("Workers replaced, by cause").tags(poolTags)
                    .tag("cause", cause.name().toLowerCase(Locale.ROOT)).register(registry);
        }
        return this;
    }

    /**
     * The engine's slot pool figures, tagged with this object's tags: pass it to
     * {@link ProcessEngine.Builder#addSlotPoolEvents(PoolEvents)}. Registers the {@code procflux.slot.*} pool
     * meters (see the class description).
     *
     * @return callbacks that record the meters
     */
    public PoolEvents slotPoolEvents() {
        return new PoolMeters(registry, "procflux.slot", "slot", tags);
    }

    /**
     * A worker pool's figures, tagged {@code pool=name} like {@link #bind(WorkerPool, String)}'s meters: pass it to
     * {@link WorkerPool.Builder#addPoolEvents(PoolEvents)}. Registers the {@code procflux.worker.*} pool meters (see
     * the class description).
     *
     * @param name the pool's name, as the {@code pool} tag
     * @return callbacks that record the meters
     */
    public PoolEvents workerPoolEvents(String name) {
        return new PoolMeters(registry, "procflux.worker", "worker", tags.and("pool", Objects.requireNonNull(name,
                "name")));
    }

    private void workerGauge(WorkerPool<?, ?> pool, Tags poolTags, String name, String description,
            ToDoubleFunction<WorkerPoolMetrics> f) {
        Gauge.builder(name, pool, x -> f.applyAsDouble(x.metrics())).description(description).tags(poolTags)
                .register(registry);
    }

    private void gauge(ProcessEngine engine, String name, String description, ToDoubleFunction<EngineMetrics> f,
            String unit) {
        Gauge.Builder<ProcessEngine> b = Gauge.builder(name, engine, e -> f.applyAsDouble(e.metrics()))
                .description(description).tags(tags);
        if (unit != null) {
            b.baseUnit(unit);
        }
        b.register(registry);
    }

    @Override
    public void slotAcquired(Duration waited) {
        acquire.record(waited);
    }

    @Override
    public void processEnded(Command command, ProcessOutcome outcome, Duration duration) {
        durations.get(outcome).record(duration);
    }

    @Override
    public void processKilled(Command command, long pid, boolean forced) {
        (forced ? kills : terms).increment();
    }

    /** One pool's Reactor Pool figures as meters; {@code what} names the resource in the descriptions. */
    private static final class PoolMeters implements PoolEvents {
        private final Timer allocated;
        private final Timer allocationFailed;
        private final Timer pendingAcquired;
        private final Timer pendingFailed;
        private final Timer idle;
        private final Timer release;
        private final Counter kept;
        private final Timer lifetime;
        private final Timer destroy;

        PoolMeters(MeterRegistry registry, String prefix, String what, Tags tags) {
            allocated = timer(registry, prefix + ".allocation", "Time to create a " + what, tags.and("outcome",
                    "success"));
            allocationFailed = timer(registry, prefix + ".allocation", "Time to create a " + what,
                    tags.and("outcome", "failure"));
            pendingAcquired = timer(registry, prefix + ".pending", "Time queued for a " + what
                    + ", by acquisitions that had to queue", tags.and("outcome", "success"));
            pendingFailed = timer(registry, prefix + ".pending", "Time queued for a " + what
                    + ", by acquisitions that had to queue", tags.and("outcome", "failure"));
            idle = timer(registry, prefix + ".idle.duration", "Time a " + what + " was idle before it was handed out",
                    tags);
            release = timer(registry, prefix + ".release", "Returns of a " + what + " to the pool", tags);
            kept = Counter.builder(prefix + ".release.kept").description("Returns that kept the " + what
                    + " for reuse").tags(tags).register(registry);
            lifetime = timer(registry, prefix + ".lifetime", "Age of a " + what + " when it was destroyed", tags);
            destroy = timer(registry, prefix + ".destroy", "Time to destroy a " + what, tags);
        }

        private static Timer timer(MeterRegistry registry, String name, String description, Tags tags) {
            return Timer.builder(name).description(description).tags(tags).register(registry);
        }

        @Override
        public void allocationSucceeded(Duration latency) {
            allocated.record(latency);
        }

        @Override
        public void allocationFailed(Duration latency) {
            allocationFailed.record(latency);
        }

        @Override
        public void pendingAcquireSucceeded(Duration waited) {
            pendingAcquired.record(waited);
        }

        @Override
        public void pendingAcquireFailed(Duration waited) {
            pendingFailed.record(waited);
        }

        @Override
        public void acquiredAfterIdle(Duration idleTime) {
            idle.record(idleTime);
        }

        @Override
        public void returned(Duration latency) {
            release.record(latency);
        }

        @Override
        public void keptIdle() {
            kept.increment();
        }

        @Override
        public void destroying(Duration age) {
            lifetime.record(age);
        }

        @Override
        public void destroyed(Duration latency) {
            destroy.record(latency);
        }
    }
}
