package dev.procflux.micrometer;

import dev.procflux.Command;
import dev.procflux.EngineEvents;
import dev.procflux.EngineMetrics;
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
 * base units in the meter). Use it both as the engine's {@link EngineEvents} and as a binder:
 * <pre>{@code
 * ProcfluxMeters meters = new ProcfluxMeters(registry, Tags.of("engine", "media"));
 * ProcessEngine engine = ProcessEngine.builder().events(meters).build();
 * meters.bind(engine);
 * }</pre>
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th></tr>
 * <tr><td>{@code procflux.processes.running}</td><td>gauge</td><td></td></tr>
 * <tr><td>{@code procflux.slots.leased}, {@code procflux.slots.pending}, {@code procflux.slots.max}</td>
 * <td>gauges</td><td></td></tr>
 * <tr><td>{@code procflux.slot.acquire}</td><td>timer (wait for a slot)</td><td></td></tr>
 * <tr><td>{@code procflux.process.duration}</td><td>timer with histogram</td>
 * <td>{@code outcome}: succeeded, failed, timed_out, cancelled, start_failed</td></tr>
 * <tr><td>{@code procflux.process.kills}</td><td>counter</td><td>{@code signal}: term, kill</td></tr>
 * <tr><td>{@code procflux.output.buffered}</td><td>gauge, bytes</td><td></td></tr>
 * <tr><td>{@code procflux.output.pauses}</td><td>function counter</td><td></td></tr>
 * <tr><td>{@code procflux.calls.rejected}</td><td>function counter</td><td></td></tr>
 * </table>
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
        gauge(engine, "procflux.processes.running", "Processes alive", m -> m.running(), null);
        gauge(engine, "procflux.slots.leased", "Slots held", m -> m.leased(), null);
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
     * counter, tag {@code cause}: crash, timeout, protocol_error, cancelled, recycled, evicted).
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
        workerGauge(pool, poolTags, "procflux.workers.busy", "Workers handling a request", WorkerPoolMetrics::busy);
        workerGauge(pool, poolTags, "procflux.workers.pending", "Callers waiting for a worker",
                WorkerPoolMetrics::pending);
        FunctionCounter.builder("procflux.worker.requests", pool, x -> x.metrics().succeeded())
                .description("Worker requests by outcome").tags(poolTags).tag("outcome", "ok").register(registry);
        FunctionCounter.builder("procflux.worker.requests", pool, x -> x.metrics().failed())
                .description("Worker requests by outcome").tags(poolTags).tag("outcome", "failed").register(registry);
        FunctionCounter.builder("procflux.workers.started", pool, x -> x.metrics().workersStarted())
                .description("Worker processes started").tags(poolTags).register(registry);
        for (WorkerRestartCause cause : WorkerRestartCause.values()) {
            FunctionCounter.builder("procflux.worker.restarts", pool, x -> x.metrics().restarts(cause))
                    .description("Workers replaced, by cause").tags(poolTags)
                    .tag("cause", cause.name().toLowerCase(Locale.ROOT)).register(registry);
        }
        return this;
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
}
