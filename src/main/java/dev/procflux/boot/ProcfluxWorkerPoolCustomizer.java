package dev.procflux.boot;

import dev.procflux.WorkerPool;

/**
 * Changes the builder of each auto-configured worker pool after its {@code procflux.workers.<name>.*} properties
 * (or the actions file's {@code workers:} entry) are applied. Declare beans of this type; they run in
 * {@link org.springframework.core.Ordered} order.
 */
@FunctionalInterface
public interface ProcfluxWorkerPoolCustomizer {
    /**
     * @param name the pool's name
     * @param builder its builder; its protocol is set after the customizers, from the pool's framing
     */
    void customize(String name, WorkerPool.Builder<String, String> builder);
}
