package dev.procflux.boot;

import dev.procflux.ProcessEngine;
import dev.procflux.internal.OptionalDependency;
import dev.procflux.web.ActionRegistry;
import dev.procflux.web.ActionRoutes;
import dev.procflux.web.WorkerCodec;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The HTTP routes of {@link ActionRoutes}, mounted under {@code procflux.web.path}, when
 * {@code procflux.web.enabled=true} in a reactive web application.
 */
@AutoConfiguration(after = ProcfluxAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.web.reactive.function.server.RouterFunction")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnProperty(name = "procflux.web.enabled", havingValue = "true")
public class ProcfluxWebAutoConfiguration {

    /** Created by Spring. */
    public ProcfluxWebAutoConfiguration() {
    }

    /**
     * The routes of the {@link ActionRegistry} bean (from {@code procflux.web.actions} unless the application
     * defines its own) and of every worker pool.
     *
     * @param engine the engine
     * @param registry the actions
     * @param pools the worker pools
     * @param properties the properties
     * @return the routes, under {@code procflux.web.path}
     */
    @Bean
    @ConditionalOnMissingBean(name = "procfluxRoutes")
    public RouterFunction<ServerResponse> procfluxRoutes(ProcessEngine engine, ObjectProvider<ActionRegistry> registry,
            ObjectProvider<ProcfluxWorkerPools> pools, ProcfluxProperties properties) {
        // Spring Boot 3.5 has Spring Framework 6 and Jackson 2: say so rather than fail inside the routes
        OptionalDependency.JACKSON.require("procflux.web.enabled=true (the routes need Jackson 3, as in Spring "
                + "Boot 4)");
        ActionRegistry actions = registry.getIfAvailable();
        if (actions == null) {
            throw new IllegalStateException("procflux.web.enabled=true needs actions: set procflux.web.actions "
                    + "(e.g. classpath:actions.yaml) or define an ActionRegistry bean");
        }
        ProcfluxProperties.Web web = properties.getWeb();
        ActionRoutes.Builder b = ActionRoutes.builder(engine, actions);
        if (web.getBearerToken() != null && !web.getBearerToken().isEmpty()) {
            try {
                b.bearerToken(web.getBearerToken());
            }
            catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("procflux.web.bearer-token: " + e.getMessage(), e);
            }
        }
        try {
            if (!web.getAllowedHosts().isEmpty()) {
                b.allowedHosts(web.getAllowedHosts());
            }
            if (!web.getAllowedOrigins().isEmpty()) {
                b.allowedOrigins(web.getAllowedOrigins());
            }
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("procflux.web.allowed-hosts/allowed-origins: " + e.getMessage(), e);
        }
        ProcfluxWorkerPools workers = pools.getIfAvailable();
        if (workers != null) {
            workers.textPools().forEach((name, pool) -> b.workerPool(name, pool, WorkerCodec.text()));
            workers.bytePools().forEach((name, pool) -> b.workerPool(name, pool, WorkerCodec.bytes()));
        }
        RouterFunction<ServerResponse> routes = b.build();
        String prefix = prefix(web.getPath());
        return prefix.isEmpty() ? routes : RouterFunctions.nest(RequestPredicates.path(prefix), routes);
    }

    /** {@code ""} for the root, otherwise {@code /a/b} with one leading slash and no trailing one. */
    static String prefix(String path) {
        String p = path.trim();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty()) {
            return "";
        }
        return p.startsWith("/") ? p : "/" + p;
    }
}
