package dev.procflux.boot;

import dev.procflux.ProcessEngine;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Stops the engine and its worker pools when the application context stops, after the web server's graceful
 * shutdown: requests in flight finish (up to {@code procflux.engine.shutdown-drain}), then whatever still runs is
 * killed. The engine's own JVM shutdown hook is off under Spring Boot, so nothing kills processes earlier.
 *
 * <p>Runs in phase {@link #PHASE}: below Spring Boot's graceful-shutdown phase ({@code SmartLifecycle.DEFAULT_PHASE
 * - 1024}), which stops first and waits for requests in flight, and above the phase that stops the web server
 * ({@code DEFAULT_PHASE - 2048}), so that a response still streaming can carry a process's last output.
 */
public final class ProcfluxLifecycle implements SmartLifecycle {
    /** Between Spring Boot's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and web server stop (- 2048). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1536;
    private static final Logger log = Loggers.getLogger(ProcfluxLifecycle.class);

    private final ProcessEngine engine;
    private final @Nullable ProcfluxWorkerPools pools;
    private final Duration drain;
    private final AtomicBoolean running = new AtomicBoolean();

    /**
     * @param engine the engine to stop
     * @param pools its worker pools, stopped first; or null
     * @param drain how long processes and requests in flight may take to finish
     */
    public ProcfluxLifecycle(ProcessEngine engine, @Nullable ProcfluxWorkerPools pools, Duration drain) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.pools = pools;
        this.drain = Objects.requireNonNull(drain, "drain");
        if (drain.isNegative()) {
            throw new IllegalArgumentException("procflux.engine.shutdown-drain must be >= 0, was " + drain);
        }
    }

    /** @return how long processes in flight may take to finish at shutdown */
    public Duration drain() {
        return drain;
    }

    @Override
    public void start() {
        running.set(true);
    }

    @Override
    public void stop() {
        stopLater().block(drain.plus(engine.options().killGracePeriod().multipliedBy(2)).plusSeconds(1));
    }

    @Override
    public void stop(Runnable callback) {
        stopLater().subscribe(null, e -> {
            log.warn("stopping procflux failed", e);
            callback.run();
        }, callback);
    }

    private Mono<Void> stopLater() {
        if (!running.compareAndSet(true, false)) {
            return Mono.empty();
        }
        long deadline = System.nanoTime() + drain.toNanos();
        // the pools first: their workers hold engine slots, so the engine drains what is left of the time after them
        Mono<Void> pools = this.pools == null ? Mono.empty() : this.pools.disposeGracefully(drain);
        return pools.then(Mono.defer(() -> engine.disposeGracefully(
                Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))));
    }

    @Override
    public boolean isRunning() {
        return running.get();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
