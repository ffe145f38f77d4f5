package dev.procflux.boot;

import dev.procflux.ProcessEngine;

/**
 * Changes the auto-configured engine's builder after {@code procflux.engine.*} is applied and before the engine is
 * built. Declare beans of this type; they run in {@link org.springframework.core.Ordered} order.
 */
@FunctionalInterface
public interface ProcfluxEngineCustomizer {
    /**
     * @param builder the builder of the {@link ProcessEngine} bean
     */
    void customize(ProcessEngine.Builder builder);
}
