package dev.procflux.boot;

import dev.procflux.ProcessEngine;
import dev.procflux.WorkerPool;
import dev.procflux.WorkerProtocol;
import dev.procflux.web.ActionRegistry;
import dev.procflux.web.ActionsFile;
import dev.procflux.web.WorkerPoolSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.util.unit.DataSize;

/**
 * The engine, its worker pools and their shutdown, configured by {@link ProcfluxProperties}. Every bean backs off
 * when the application defines one of its type.
 */
@AutoConfiguration
@EnableConfigurationProperties(ProcfluxProperties.class)
public class ProcfluxAutoConfiguration {
    private static final Duration SPRING_DEFAULT_PHASE_TIMEOUT = Duration.ofSeconds(30);

    /** Created by Spring. */
    public ProcfluxAutoConfiguration() {
    }

    /**
     * The actions file of {@code procflux.web.actions}, read once.
     *
     * @param properties the properties
     * @return the parsed file
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty("procflux.web.actions")
    public ActionsFile procfluxActionsFile(ProcfluxProperties properties) {
        Resource resource = properties.getWeb().getActions();
        if (resource == null) {
            throw new IllegalStateException("procflux.web.actions is set but is not a resource");
        }
        try (InputStream in = resource.getInputStream()) {
            return ActionsFile.read(in, baseDirectory(resource));
        }
        catch (IOException e) {
            throw new UncheckedIOException("procflux.web.actions: cannot read " + resource.getDescription() + ": "
                    + e.getMessage(), e);
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("procflux.web.actions: " + resource.getDescription() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Relative paths in a file resource are resolved against its directory; a resource inside a jar has none, so
     * against the working directory.
     */
    private static Path baseDirectory(Resource resource) {
        if (resource.isFile()) {
            try {
                Path parent = resource.getFile().toPath().toAbsolutePath().getParent();
                if (parent != null) {
                    return parent;
                }
            }
            catch (IOException e) {
                // isFile() said yes but the file is not reachable after all: fall back like a jar resource
                return Path.of("").toAbsolutePath();
            }
        }
        return Path.of("").toAbsolutePath();
    }

    /**
     * The actions of the actions file.
     *
     * @param file the actions file
     * @return its registry
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty("procflux.web.actions")
    public ActionRegistry procfluxActionRegistry(ActionsFile file) {
        return file.registry();
    }

    /**
     * The engine: the actions file's {@code engine:} section, then {@code procflux.engine.*}, then the
     * {@link ProcfluxEngineCustomizer}s. Its own JVM shutdown hook is off: {@link ProcfluxLifecycle} stops it.
     *
     * @param properties the properties
     * @param file the actions file, if any
     * @param customizers the customizers
     * @return the engine
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public ProcessEngine procfluxEngine(ProcfluxProperties properties, ObjectProvider<ActionsFile> file,
            ObjectProvider<ProcfluxEngineCustomizer> customizers) {
        ActionsFile actions = file.getIfAvailable();
        ProcessEngine.Builder b = actions != null ? actions.engine() : ProcessEngine.builder();
        ProcfluxProperties.Engine p = properties.getEngine();
        set("max-concurrency", p.getMaxConcurrency(), b::maxConcurrency);
        set("max-pending-acquire", p.getMaxPendingAcquire(), b::maxPendingAcquire);
        set("acquire-timeout", p.getAcquireTimeout(), b::acquireTimeout);
        set("kill-grace-period", p.getKillGracePeriod(), b::killGracePeriod);
        set("max-buffered-bytes", p.getMaxBufferedBytes(), v -> b.maxBufferedBytes(v.toBytes()));
        set("backpressure", p.getBackpressure(), b::backpressure);
        @Nullable DataSize high = p.getHighWaterBytes();
        @Nullable DataSize low = p.getLowWaterBytes();
        if (high != null || low != null) {
            if (high == null || low == null) {
                throw new IllegalArgumentException("procflux.engine.high-water-bytes and procflux.engine.low-water-bytes"
                        + " go together, but only procflux.engine."
                        + (high != null ? "high-water-bytes=" + high : "low-water-bytes=" + low) + " is set");
            }
            try {
                b.watermarks(high.toBytes(), low.toBytes());
            }
            catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("procflux.engine.high-water-bytes=" + high
                        + ", procflux.engine.low-water-bytes=" + low + ": " + e.getMessage(), e);
            }
        }
        set("max-total-buffered-bytes", p.getMaxTotalBufferedBytes(), v -> b.maxTotalBufferedBytes(v.toBytes()));
        set("direct-reads", p.getDirectReads(), b::directReads);
        b.closeOnShutdown(false);
        try {
            customizers.orderedStream().forEach(c -> c.customize(b));
            return b.build();
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("procflux.engine: " + e.getMessage(), e);
        }
    }

    /**
     * Applies {@code procflux.engine.<key>} when it is set; the builder's refusal of its value (a size below the
     * engine's minimum, a negative grace period) names the property and the value.
     */
    private static <T> void set(String key, @Nullable T value, Consumer<T> setter) {
        if (value == null) {
            return;
        }
        try {
            setter.accept(value);
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("procflux.engine." + key + "=" + value + ": " + e.getMessage(), e);
        }
    }

    /**
     * The worker pools of {@code procflux.workers.*} and of the actions file's {@code workers:}.
     *
     * @param engine the engine they run on
     * @param properties the properties
     * @param file the actions file, if any
     * @param customizers the customizers
     * @return the pools, by name
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public ProcfluxWorkerPools procfluxWorkerPools(ProcessEngine engine, ProcfluxProperties properties,
            ObjectProvider<ActionsFile> file, ObjectProvider<ProcfluxWorkerPoolCustomizer> customizers) {
        List<WorkerPoolSpec> specs = new ArrayList<>();
        ActionsFile actions = file.getIfAvailable();
        if (actions != null) {
            specs.addAll(actions.workerPools());
        }
        for (Map.Entry<String, ProcfluxWorkerProperties> e : properties.getWorkers().entrySet()) {
            String name = e.getKey();
            if (specs.stream().anyMatch(s -> s.name().equals(name))) {
                throw new IllegalArgumentException("worker pool '" + name + "' is defined both in "
                        + "procflux.workers and in the actions file");
            }
            try {
                specs.add(spec(name, e.getValue()));
            }
            catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("procflux.workers." + name + ": " + ex.getMessage(), ex);
            }
        }
        List<ProcfluxWorkerPoolCustomizer> ordered = customizers.orderedStream().toList();
        Map<String, WorkerPool<String, String>> text = new LinkedHashMap<>();
        Map<String, WorkerPool<byte[], byte[]>> bytes = new LinkedHashMap<>();
        List<WorkerPool<?, ?>> built = new ArrayList<>();
        try {
            for (WorkerPoolSpec spec : specs) {
                WorkerPool.Builder<String, String> b = spec.options().toBuilder();
                ordered.forEach(c -> c.customize(spec.name(), b));
                if (spec.framing() == WorkerPoolSpec.Framing.LINES) {
                    WorkerPool<String, String> pool = b.build(engine);
                    built.add(pool);
                    text.put(spec.name(), pool);
                }
                else {
                    WorkerPool<byte[], byte[]> pool = b.protocol(WorkerProtocol.lengthPrefixed()).build(engine);
                    built.add(pool);
                    bytes.put(spec.name(), pool);
                }
            }
        }
        catch (RuntimeException e) {
            // the context will not start: the pools already built would otherwise keep their processes
            built.forEach(WorkerPool::close);
            throw e;
        }
        return new ProcfluxWorkerPools(text, bytes);
    }

    private static WorkerPoolSpec spec(String name, ProcfluxWorkerProperties w) {
        if (w.getCommand().isEmpty()) {
            throw new IllegalArgumentException("command is required, e.g. procflux.workers." + name
                    + ".command=python3,-u,worker.py");
        }
        WorkerPool.Builder<String, String> b = WorkerPool.builder(dev.procflux.Command.of(w.getCommand()));
        ProcfluxWorkerProperties.Size size = w.getSize();
        if (size.getMin() != null || size.getMax() != null) {
            var defaults = b.buildOptions();
            b.sizeBetween(size.getMin() != null ? size.getMin() : defaults.minSize(),
                    size.getMax() != null ? size.getMax() : defaults.maxSize());
        }
        if (w.getMaxPendingAcquire() != null) {
            b.maxPendingAcquire(w.getMaxPendingAcquire());
        }
        if (w.getMaxRequestsPerWorker() != null) {
            b.maxRequestsPerWorker(w.getMaxRequestsPerWorker());
        }
        if (w.getEvictionIdle() != null) {
            b.evictionIdle(w.getEvictionIdle());
        }
        if (w.getMaxLifetime() != null) {
            b.maxLifetime(w.getMaxLifetime());
        }
        if (w.getRequestTimeout() != null) {
            b.requestTimeout(w.getRequestTimeout());
        }
        if (w.getMaxStartAttempts() != null) {
            b.maxStartAttempts(w.getMaxStartAttempts());
        }
        if (w.getIdempotentRetries() != null) {
            b.idempotentRetries(w.getIdempotentRetries());
        }
        if (w.getStartBackoff() != null) {
            b.startBackoff(w.getStartBackoff());
        }
        WorkerPoolSpec.Framing framing = w.getProtocol() == ProcfluxWorkerProperties.Protocol.LENGTH_PREFIXED
                ? WorkerPoolSpec.Framing.LENGTH_PREFIXED : WorkerPoolSpec.Framing.LINES;
        return WorkerPoolSpec.of(name, framing, b.buildOptions());
    }

    /**
     * Stops the pools and the engine after the web server's graceful shutdown.
     *
     * @param engine the engine
     * @param pools the worker pools
     * @param properties the properties
     * @param environment for {@code spring.lifecycle.timeout-per-shutdown-phase}
     * @return the lifecycle
     */
    @Bean
    @ConditionalOnMissingBean
    public ProcfluxLifecycle procfluxLifecycle(ProcessEngine engine, ObjectProvider<ProcfluxWorkerPools> pools,
            ProcfluxProperties properties, Environment environment) {
        @Nullable Duration drain = properties.getEngine().getShutdownDrain();
        if (drain == null) {
            drain = Binder.get(environment).bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
                    .orElse(SPRING_DEFAULT_PHASE_TIMEOUT);
        }
        return new ProcfluxLifecycle(engine, pools.getIfAvailable(), drain);
    }
}
