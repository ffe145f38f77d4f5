package dev.procflux.boot;

import dev.procflux.ProcessEngine;
import dev.procflux.micrometer.ProcfluxMeters;
import io.micrometer.core.instrument.Tags;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link ProcfluxMeters} as a {@code MeterBinder} bean, which Spring Boot binds to its meter registry, wired into
 * the auto-configured engine and worker pools. Active when a {@code MeterRegistry} bean exists. Spring Boot binds
 * meter binders once every bean exists, after the pools' warm-up: the meters hold the events until then (see
 * {@link ProcfluxMeters}).
 */
@AutoConfiguration(before = ProcfluxAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
@ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
public class ProcfluxMetricsAutoConfiguration {

    /** Created by Spring. */
    public ProcfluxMetricsAutoConfiguration() {
    }

    /** @return the meters, without extra tags */
    @Bean
    @ConditionalOnMissingBean
    public ProcfluxMeters procfluxMeters() {
        return new ProcfluxMeters(Tags.empty());
    }

    /**
     * @param meters the meters
     * @return a customizer that makes the engine report to the meters
     */
    @Bean
    public ProcfluxEngineCustomizer procfluxMetersEngineCustomizer(ProcfluxMeters meters) {
        return b -> b.addEvents(meters).addSlotPoolEvents(meters.slotPoolEvents());
    }

    /**
     * @param meters the meters
     * @return a customizer that makes each worker pool report to the meters under its name
     */
    @Bean
    public ProcfluxWorkerPoolCustomizer procfluxMetersWorkerPoolCustomizer(ProcfluxMeters meters) {
        return (name, b) -> b.addPoolEvents(meters.workerPoolEvents(name));
    }

    /**
     * Publishes the gauges of the engine and the worker pools once every bean exists.
     *
     * @param meters the meters
     * @param engine the engine
     * @param pools the worker pools
     * @return the binding step
     */
    @Bean
    public SmartInitializingSingleton procfluxMetersBinding(ProcfluxMeters meters, ObjectProvider<ProcessEngine> engine,
            ObjectProvider<ProcfluxWorkerPools> pools) {
        return () -> {
            engine.ifAvailable(meters::bind);
            pools.ifAvailable(p -> p.all().values().forEach(pool -> {
                if (meters.isBindable(pool)) {
                    meters.bind(pool);
                }
            }));
        };
    }
}
