package dev.procflux.micrometer;

import dev.procflux.Command;
import dev.procflux.EngineEvents;
import dev.procflux.PoolEvents;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessOutcome;
import dev.procflux.WorkerPool;
import dev.procflux.internal.ApiFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Publishes the figures of {@link ProcessEngine}s and {@link WorkerPool}s to Micrometer. It is the engine's
 * {@link EngineEvents}, the source of the pools' {@link PoolEvents}, and a {@link MeterBinder}:
 * <pre>{@code
 * ProcfluxMeters meters = new ProcfluxMeters(Tags.of("engine", "media"));
 * ProcessEngine engine = ProcessEngine.builder().addEvents(meters).addSlotPoolEvents(meters.slotPoolEvents()).build();
 * meters.bind(engine);
 * WorkerPool<String, String> pool = WorkerPool.builder(Command.of("cat"))
 *         .addPoolEvents(meters.workerPoolEvents("resize")).build(engine);
 * meters.bind(pool);                // the pool's name comes from workerPoolEvents("resize")
 * meters.bindTo(registry);          // or let Spring Boot bind it: it binds every MeterBinder bean
 * }</pre>
 * {@link #bind(ProcessEngine)}, {@link #bind(WorkerPool)} and {@link #bindTo(MeterRegistry)} may come in any
 * order. Events that happen before the first {@link #bindTo(MeterRegistry)} (a worker pool's warm-up, processes
 * run while a Spring application starts, before Spring Boot binds its {@code MeterBinder}s) are held and recorded
 * by it, so a timer's count agrees with the counters that read the engine's and pools' own figures (the success
 * count of {@code procflux.workers.allocation} equals {@code procflux.workers.started}). At most 10,000 events
 * are held; beyond that they are dropped, with one warning in the log. A registry bound later records the events
 * from its binding on.
 *
 * <p><b>Names.</b> Every meter is {@code procflux.<group>.<figure>}, the group a plural noun: {@code processes},
 * {@code slots}, {@code workers}, {@code output}, {@code calls}. Timers and gauges carry base units (seconds,
 * bytes) as Micrometer does, so Prometheus shows {@code procflux_processes_duration_seconds}. Every
 * {@code outcome} tag takes its value from one vocabulary: {@code success}, {@code failure}, {@code timeout},
 * {@code cancelled}, {@code start_failure}. No timer publishes a percentile histogram unless asked to, through a
 * {@code MeterFilter} or Spring Boot's {@code management.metrics.distribution.percentiles-histogram.procflux=true}.
 *
 * <table>
 * <caption>Engine meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 * <tr><td>{@code procflux.processes.alive}</td><td>gauge</td><td></td><td>processes alive</td></tr>
 * <tr><td>{@code procflux.processes.duration}</td><td>timer</td>
 * <td>{@code outcome}: success, failure, timeout, cancelled, start_failure</td><td>run time, launch to exit</td></tr>
 * <tr><td>{@code procflux.processes.kills}</td><td>counter</td><td>{@code signal}: term, kill</td>
 * <td>process trees signalled to die</td></tr>
 * <tr><td>{@code procflux.slots.acquired}, {@code .pending}, {@code .max}</td><td>gauges</td><td></td>
 * <td>slots held, callers waiting, {@code maxConcurrency}</td></tr>
 * <tr><td>{@code procflux.slots.acquire}</td><td>timer</td><td></td>
 * <td>every slot grant's wait, immediate ones included</td></tr>
 * <tr><td>{@code procflux.output.buffered}</td><td>gauge, bytes</td><td></td>
 * <td>output held for lagging subscribers</td></tr>
 * <tr><td>{@code procflux.output.reserved}</td><td>gauge, bytes</td><td></td>
 * <td>output the streams may still queue after their pauses, counted against the engine's output budget besides
 * {@code procflux.output.buffered}</td></tr>
 * <tr><td>{@code procflux.output.pauses}</td><td>function counter</td><td></td>
 * <td>processes paused because their subscriber lagged</td></tr>
 * <tr><td>{@code procflux.output.budget.pauses}</td><td>function counter</td><td></td>
 * <td>processes paused because all streams together reached the engine's output budget</td></tr>
 * <tr><td>{@code procflux.calls.rejected}</td><td>function counter</td><td></td>
 * <td>calls refused: overloaded, acquire timeout, closed</td></tr>
 * </table>
 *
 * <table>
 * <caption>Worker pool meters, tagged {@code pool}</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 * <tr><td>{@code procflux.workers.alive}, {@code .idle}, {@code .acquired}, {@code .pending}</td><td>gauges</td>
 * <td></td><td>worker processes; callers waiting for one</td></tr>
 * <tr><td>{@code procflux.workers.requests}</td><td>function counter</td><td>{@code outcome}: success, failure</td>
 * <td>requests answered</td></tr>
 * <tr><td>{@code procflux.workers.started}</td><td>function counter</td><td></td><td>worker processes launched</td>
 * </tr>
 * <tr><td>{@code procflux.workers.restarts}</td><td>function counter</td>
 * <td>{@code cause}: crash, timeout, protocol_error, cancelled, max_requests, evicted</td>
 * <td>workers replaced (closing not included)</td></tr>
 * </table>
 *
 * <p>The pools' own figures come from Reactor Pool's metrics recorder, with millisecond resolution (see
 * {@link PoolEvents}), under {@code procflux.slots} for the engine's slot pool ({@link #slotPoolEvents()}) and
 * {@code procflux.workers} for a worker pool ({@link #workerPoolEvents(String)}, tagged {@code pool}):
 * <table>
 * <caption>Pool meters ({@code P} is {@code procflux.slots} or {@code procflux.workers})</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 * <tr><td>{@code P.allocation}</td><td>timer</td><td>{@code outcome}: success, failure</td>
 * <td>creating a slot; launching a worker</td></tr>
 * <tr><td>{@code P.queued}</td><td>timer</td><td>{@code outcome}: success, failure</td>
 * <td>time queued, by acquisitions that had to queue (a cancelled wait is a success; a timeout, a full queue or a
 * closed pool a failure)</td></tr>
 * <tr><td>{@code P.idle.duration}</td><td>timer</td><td></td>
 * <td>how long a slot or worker had been idle when it was handed out</td></tr>
 * <tr><td>{@code P.release}</td><td>timer</td><td></td><td>returns to the pool</td></tr>
 * <tr><td>{@code P.release.kept}</td><td>counter</td><td></td><td>returns that kept the slot or worker</td></tr>
 * <tr><td>{@code P.lifetime}</td><td>timer</td><td></td><td>age of a slot or worker when destroyed</td></tr>
 * <tr><td>{@code P.destroy}</td><td>timer</td><td></td><td>destructions, closing included</td></tr>
 * </table>
 *
 * <p>Thread-safe; the event callbacks only record meters (or, while no registry is bound, hold the event) and
 * never wait for I/O.
 */
public final class ProcfluxMeters implements EngineEvents, MeterBinder {
    private static final Logger log = Loggers.getLogger(ProcfluxMeters.class);
    /** How many events {@link ProcfluxMeters} holds for its first registry; later ones are dropped. */
    static final int MAX_HELD_EVENTS = 10_000;

    private final Tags tags;
    // guarded by this: the events of the callbacks called while no registry was bound, each of which calls its
    // callback again; the first bindTo runs them and sets this to null
    private @Nullable List<Runnable> held = new ArrayList<>();
    // guarded by this
    private boolean warnedHeldFull;
    // guarded by this: what bindTo must replay on a new registry (engine and pool gauges), in bind order
    private final List<Consumer<MeterRegistry>> gaugeBinders = new ArrayList<>();
    // guarded by this
    private final List<MeterRegistry> registries = new ArrayList<>();
    // guarded by this
    private final List<PoolMeters> poolMeters = new ArrayList<>();
    // copy-on-write under this; read without a lock by the event callbacks. Empty exactly while no registry is
    // bound: then the callbacks hand their events to holdUntilBound
    private volatile EngineMeters[] engineMeters = new EngineMeters[0];

    /**
     * Meters to be bound later with {@link #bindTo(MeterRegistry)}.
     *
     * @param tags added to every meter (e.g. the engine's name)
     */
    public ProcfluxMeters(Tags tags) {
        this.tags = Objects.requireNonNull(tags, "tags");
    }

    /**
     * Meters bound to {@code registry} at once.
     *
     * @param registry where to publish
     * @param tags added to every meter (e.g. the engine's name)
     */
    public ProcfluxMeters(MeterRegistry registry, Tags tags) {
        this(tags);
        bindTo(Objects.requireNonNull(registry, "registry"));
    }

    /**
     * Publishes the meters in {@code registry}: those of every engine and pool bound so far, and of those bound
     * later. Binding the same registry twice has no further effect.
     *
     * @param registry where to publish
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        for (MeterRegistry r : registries) {
            if (r == registry) {
                return;
            }
        }
        registries.add(registry);
        EngineMeters[] current = engineMeters;
        EngineMeters[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = new EngineMeters(registry, tags);
        engineMeters = next;
        for (PoolMeters p : poolMeters) {
            p.bindTo(registry);
        }
        for (Consumer<MeterRegistry> binder : gaugeBinders) {
            binder.accept(registry);
        }
        List<Runnable> events = held;
        if (events != null) {
            held = null;
            // the callbacks see a registry now and record into it
            events.forEach(Runnable::run);
        }
    }

    /**
     * Holds an event for the first {@link #bindTo(MeterRegistry)}: called by a callback that found no registry.
     *
     * @param event calls the callback again with the same figures
     * @return false if a registry was bound in the meantime: then the callback records the event itself
     */
    synchronized boolean holdUntilBound(Runnable event) {
        List<Runnable> events = held;
        if (events == null) {
            return false;
        }
        if (events.size() < MAX_HELD_EVENTS) {
            events.add(event);
        }
        else if (!warnedHeldFull) {
            warnedHeldFull = true;
            log.warn("ProcfluxMeters: {} events happened before any meter registry was bound; later ones are not "
                    + "recorded until bindTo(registry) is called", MAX_HELD_EVENTS);
        }
        return true;
    }

    /**
     * Publishes the engine's gauges (alive, slots, buffered and reserved bytes) and snapshot counters. Call once per
     * engine; the gauges hold the engine weakly, as Micrometer gauges do.
     *
     * @param engine the engine built with this object as its {@link EngineEvents}
     * @return this
     */
    public ProcfluxMeters bind(ProcessEngine engine) {
        Objects.requireNonNull(engine, "engine");
        addGauges(registry -> EngineMeters.bindGauges(registry, engine, tags));
        return this;
    }

    /**
     * Publishes a worker pool's gauges and counters (see the class description), tagged {@code pool} with the
     * name given to {@link #workerPoolEvents(String)}.
     *
     * @param pool a pool built with {@code addPoolEvents(meters.workerPoolEvents(name))} of this object
     * @return this
     * @throws IllegalArgumentException if the pool's {@link PoolEvents} do not come from
     *         {@link #workerPoolEvents(String)} of this object
     */
    public ProcfluxMeters bind(WorkerPool<?, ?> pool) {
        Objects.requireNonNull(pool, "pool");
        PoolMeters events = ownPoolMeters(pool);
        if (events == null) {
            throw new IllegalArgumentException("the worker pool was not built with addPoolEvents(meters"
                    + ".workerPoolEvents(name)) of these meters, so it has no name: " + pool.options().command()
                    .commandLine());
        }
        Tags poolTags = events.tags;
        addGauges(registry -> WorkerPoolMeters.bindGauges(registry, pool, poolTags));
        return this;
    }

    /**
     * @param pool a worker pool
     * @return whether {@link #bind(WorkerPool)} accepts it: whether it was built with
     *         {@code addPoolEvents(meters.workerPoolEvents(name))} of this object
     */
    public boolean isBindable(WorkerPool<?, ?> pool) {
        return ownPoolMeters(Objects.requireNonNull(pool, "pool")) != null;
    }

    /** The worker-pool meters of this object among the pool's listeners, or null. */
    private @Nullable PoolMeters ownPoolMeters(WorkerPool<?, ?> pool) {
        for (PoolEvents events : ApiFactory.poolListeners(pool.options().poolEvents())) {
            if (events instanceof PoolMeters && ((PoolMeters) events).owner == this
                    && "procflux.workers".equals(((PoolMeters) events).prefix)) {
                return (PoolMeters) events;
            }
        }
        return null;
    }

    /**
     * The engine's slot pool figures, tagged with this object's tags: pass it to
     * {@link ProcessEngine.Builder#addSlotPoolEvents(PoolEvents)}. Publishes the {@code procflux.slots.*} pool meters
     * (see the class description).
     *
     * @return callbacks that record the meters
     */
    public PoolEvents slotPoolEvents() {
        return addPool(new PoolMeters(this, "procflux.slots", "slot", tags));
    }

    /**
     * A worker pool's figures, tagged {@code pool=name}: pass it to
     * {@link WorkerPool.Builder#addPoolEvents(PoolEvents)}, then give the pool to {@link #bind(WorkerPool)}, which
     * takes the name from here. Publishes the {@code procflux.workers.*} pool meters (see the class description).
     *
     * @param name the pool's name, as the {@code pool} tag
     * @return callbacks that record the meters
     */
    public PoolEvents workerPoolEvents(String name) {
        return addPool(new PoolMeters(this, "procflux.workers", "worker",
                tags.and("pool", Objects.requireNonNull(name, "name"))));
    }

    private synchronized PoolEvents addPool(PoolMeters meters) {
        poolMeters.add(meters);
        for (MeterRegistry r : registries) {
            meters.bindTo(r);
        }
        return meters;
    }

    private synchronized void addGauges(Consumer<MeterRegistry> binder) {
        gaugeBinders.add(binder);
        for (MeterRegistry r : registries) {
            binder.accept(r);
        }
    }

    @Override
    public void slotAcquired(Duration waited) {
        if (engineMeters.length == 0 && holdUntilBound(() -> slotAcquired(waited))) {
            return;
        }
        for (EngineMeters m : engineMeters) {
            m.acquire.record(waited);
        }
    }

    @Override
    public void processEnded(Command command, ProcessOutcome outcome, Duration duration) {
        if (engineMeters.length == 0 && holdUntilBound(() -> processEnded(command, outcome, duration))) {
            return;
        }
        for (EngineMeters m : engineMeters) {
            m.durations.get(outcome).record(duration);
        }
    }

    @Override
    public void processKilled(Command command, long pid, boolean forced) {
        if (engineMeters.length == 0 && holdUntilBound(() -> processKilled(command, pid, forced))) {
            return;
        }
        for (EngineMeters m : engineMeters) {
            (forced ? m.kills : m.terms).increment();
        }
    }
}
