package dev.procflux.boot;

import dev.procflux.EngineMetrics;
import dev.procflux.ProcessEngine;
import dev.procflux.WorkerPool;
import dev.procflux.WorkerPoolMetrics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Mono;

/**
 * {@code procflux} in {@code /actuator/health}: DOWN once the engine is disposed, UP otherwise, with the engine's
 * slots (alive, acquired, pending, maxConcurrency) and each worker pool's alive, acquired and pending workers as
 * details. Computing it reads counters only: it starts no process.
 */
public final class ProcfluxHealthIndicator implements ReactiveHealthIndicator {
    private final ProcessEngine engine;
    private final @Nullable ProcfluxWorkerPools pools;

    /**
     * @param engine the engine
     * @param pools its worker pools, or null
     */
    public ProcfluxHealthIndicator(ProcessEngine engine, @Nullable ProcfluxWorkerPools pools) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.pools = pools;
    }

    @Override
    public Mono<Health> health() {
        return Mono.fromSupplier(() -> {
            EngineMetrics m = engine.metrics();
            Health.Builder h = engine.isDisposed() ? Health.down().withDetail("reason", "engine disposed") : Health.up();
            h.withDetail("alive", m.alive())
                    .withDetail("acquired", m.acquired())
                    .withDetail("pending", m.pending())
                    .withDetail("maxConcurrency", m.maxConcurrency());
            if (pools != null && !pools.names().isEmpty()) {
                Map<String, Object> workers = new LinkedHashMap<>();
                for (Map.Entry<String, WorkerPool<?, ?>> e : pools.all().entrySet()) {
                    WorkerPoolMetrics w = e.getValue().metrics();
                    workers.put(e.getKey(), Map.of("alive", w.alive(), "acquired", w.acquired(), "pending", w.pending()));
                }
                h.withDetail("workers", workers);
            }
            return h.build();
        });
    }
}
