package dev.procflux.micrometer;

import dev.procflux.WorkerPool;
import dev.procflux.WorkerPoolMetrics;
import dev.procflux.WorkerRestartCause;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** A worker pool's gauges and function counters, which read its {@link WorkerPoolMetrics}. */
final class WorkerPoolMeters {
    private WorkerPoolMeters() {
    }

    /** Publishes {@code pool}'s {@code procflux.workers.*} gauges and counters in {@code registry}. */
    static void bindGauges(MeterRegistry registry, WorkerPool<?, ?> pool, Tags poolTags) {
        gauge(registry, pool, poolTags, "procflux.workers.alive", "Worker processes alive", WorkerPoolMetrics::alive);
        gauge(registry, pool, poolTags, "procflux.workers.idle", "Workers waiting for a request",
                WorkerPoolMetrics::idle);
        gauge(registry, pool, poolTags, "procflux.workers.acquired", "Workers handling a request",
                WorkerPoolMetrics::acquired);
        gauge(registry, pool, poolTags, "procflux.workers.pending", "Callers waiting for a worker",
                WorkerPoolMetrics::pending);
        FunctionCounter.builder("procflux.workers.requests", pool, x -> x.metrics().succeeded())
                .description("Worker requests by outcome").tags(poolTags).tag("outcome", "success")
                .register(registry);
        FunctionCounter.builder("procflux.workers.requests", pool, x -> x.metrics().failed())
                .description("Worker requests by outcome").tags(poolTags).tag("outcome", "failure")
                .register(registry);
        FunctionCounter.builder("procflux.workers.started", pool, x -> x.metrics().started())
                .description("Worker processes started").tags(poolTags).register(registry);
        for (WorkerRestartCause cause : WorkerRestartCause.values()) {
            FunctionCounter.builder("procflux.workers.restarts", pool, x -> x.metrics().restarts(cause))
                    .description("Workers replaced, by cause").tags(poolTags)
                    .tag("cause", cause.name().toLowerCase(Locale.ROOT)).register(registry);
        }
    }

    private static void gauge(MeterRegistry registry, WorkerPool<?, ?> pool, Tags poolTags, String name,
            String description, ToDoubleFunction<WorkerPoolMetrics> f) {
        Gauge.builder(name, pool, x -> f.applyAsDouble(x.metrics())).description(description).tags(poolTags)
                .register(registry);
    }
}
