package dev.procflux.micrometer;

import dev.procflux.EngineMetrics;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The engine meters of one registry: the timers and counters its {@link dev.procflux.EngineEvents} record, and
 * (with {@link #bindGauges}) the gauges and function counters that read an engine's {@link EngineMetrics}.
 */
final class EngineMeters {
    final Timer acquire;
    final Map<ProcessOutcome, Timer> durations = new EnumMap<>(ProcessOutcome.class);
    final Counter terms;
    final Counter kills;

    EngineMeters(MeterRegistry registry, Tags tags) {
        acquire = Timer.builder("procflux.slots.acquire").description("Time waiting for a process slot")
                .tags(tags).register(registry);
        for (ProcessOutcome outcome : ProcessOutcome.values()) {
            durations.put(outcome, Timer.builder("procflux.processes.duration")
                    .description("Process run time, from launch to exit")
                    .tags(tags).tag("outcome", outcomeTag(outcome))
                    .register(registry));
        }
        terms = Counter.builder("procflux.processes.kills").description("Process trees signalled to die")
                .tags(tags).tag("signal", "term").register(registry);
        kills = Counter.builder("procflux.processes.kills").description("Process trees signalled to die")
                .tags(tags).tag("signal", "kill").register(registry);
    }

    /**
     * Publishes the engine's gauges (alive, slots, buffered and reserved bytes) and snapshot counters in
     * {@code registry}.
     */
    static void bindGauges(MeterRegistry registry, ProcessEngine engine, Tags tags) {
        gauge(registry, engine, tags, "procflux.processes.alive", "Processes alive", EngineMetrics::alive, null);
        gauge(registry, engine, tags, "procflux.slots.acquired", "Slots held", EngineMetrics::acquired, null);
        gauge(registry, engine, tags, "procflux.slots.pending", "Callers waiting for a slot", EngineMetrics::pending,
                null);
        gauge(registry, engine, tags, "procflux.slots.max", "Slot limit (maxConcurrency)",
                EngineMetrics::maxConcurrency, null);
        gauge(registry, engine, tags, "procflux.output.buffered", "Output held for lagging subscribers",
                EngineMetrics::bufferedBytes, "bytes");
        gauge(registry, engine, tags, "procflux.output.reserved",
                "Output the streams may still queue after their pauses, counted against the output budget",
                EngineMetrics::reservedBytes, "bytes");
        FunctionCounter.builder("procflux.output.pauses", engine, e -> e.metrics().pauses())
                .description("Times a process was paused because its subscriber lagged").tags(tags)
                .register(registry);
        FunctionCounter.builder("procflux.output.budget.pauses", engine, e -> e.metrics().budgetPauses())
                .description("Times a process was paused because all streams together reached the output "
                        + "budget").tags(tags).register(registry);
        FunctionCounter.builder("procflux.calls.rejected", engine, e -> e.metrics().rejected())
                .description("Calls refused: overloaded, acquire timeout or closed").tags(tags)
                .register(registry);
    }

    private static void gauge(MeterRegistry registry, ProcessEngine engine, Tags tags, String name,
            String description, ToDoubleFunction<EngineMetrics> f, @Nullable String unit) {
        Gauge.Builder<ProcessEngine> b = Gauge.builder(name, engine, e -> f.applyAsDouble(e.metrics()))
                .description(description).tags(tags);
        if (unit != null) {
            b.baseUnit(unit);
        }
        b.register(registry);
    }

    /**
     * The {@code outcome} tag of a run: the one vocabulary of every {@code outcome} tag.
     *
     * @param outcome how the run ended
     * @return {@code success}, {@code failure}, {@code timeout}, {@code cancelled} or {@code start_failure}
     */
    static String outcomeTag(ProcessOutcome outcome) {
        switch (outcome) {
            case SUCCEEDED:
                return "success";
            case FAILED:
                return "failure";
            case TIMED_OUT:
                return "timeout";
            case CANCELLED:
                return "cancelled";
            default:
                return "start_failure";
        }
    }
}
