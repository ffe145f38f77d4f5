package dev.procflux.boot;

import dev.procflux.ProcessEngine;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/** The {@code procflux} health indicator, when Spring Boot's health module is present. */
@AutoConfiguration(after = ProcfluxAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.ReactiveHealthIndicator")
@ConditionalOnBean(ProcessEngine.class)
@ConditionalOnEnabledHealthIndicator("procflux")
public class ProcfluxHealthAutoConfiguration {

    /** Created by Spring. */
    public ProcfluxHealthAutoConfiguration() {
    }

    /**
     * @param engine the engine
     * @param pools its worker pools
     * @return the indicator, named {@code procflux}
     */
    @Bean
    @ConditionalOnMissingBean(name = "procfluxHealthIndicator")
    public ProcfluxHealthIndicator procfluxHealthIndicator(ProcessEngine engine,
            ObjectProvider<ProcfluxWorkerPools> pools) {
        return new ProcfluxHealthIndicator(engine, pools.getIfAvailable());
    }
}
