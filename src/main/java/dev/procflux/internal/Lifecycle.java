package dev.procflux.internal;

import dev.procflux.EngineOptions;
import dev.procflux.ProcessAcquireTimeoutException;
import dev.procflux.ProcessPoolClosedException;
import dev.procflux.ProcessPoolOverloadedException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.pool.PoolAcquirePendingLimitException;
import reactor.pool.PoolShutdownException;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The disposal of a resource that owns processes (the engine, a worker pool): the JVM shutdown hook, the one-time
 * switch to "closed", the drain of {@code disposeGracefully}, the completion of {@code disposeLater} on a delivery
 * thread, the bounded {@code close()}, and the translation of reactor-pool's acquire errors into procflux's.
 *
 * <p>The resource supplies what differs: what to stop first ({@code onClose}: dispose its reactor-pool, say), how
 * to kill what is left, and whether anything is left. It calls {@link #checkDone()} whenever its last process may
 * have gone.
 */
final class Lifecycle {
    private static final Logger log = Loggers.getLogger(Lifecycle.class);

    private final String name;
    private final EngineOptions engine;
    private final Runnable onClose;
    private final Runnable killAll;
    private final BooleanSupplier nothingLeft;
    private final Supplier<Object> metrics;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Sinks.Empty<Void> allGone = Sinks.empty();
    // set once by installShutdownHook(), read by the closing thread
    private volatile @Nullable Thread shutdownHook;
    // set once by killsOn() while the resource is built; null when its kills run on the thread that asks
    private volatile @Nullable KillQueue kills;

    /**
     * @param name what is closed, for logs and the hook thread ({@code "engine"}, {@code "worker pool"})
     * @param engine the schedulers, kill grace period and whether to close on JVM shutdown
     * @param onClose runs once, on the closing thread, before anything is killed
     * @param killAll kills every process of the resource (idempotent; may run more than once)
     * @param nothingLeft whether every process of the resource is gone
     * @param metrics the resource's figures, for the warning of a close that ran out of time
     */
    Lifecycle(String name, EngineOptions engine, Runnable onClose, Runnable killAll, BooleanSupplier nothingLeft,
            Supplier<Object> metrics) {
        this.name = name;
        this.engine = engine;
        this.onClose = onClose;
        this.killAll = killAll;
        this.nothingLeft = nothingLeft;
        this.metrics = metrics;
    }

    /** Installs the JVM shutdown hook if the options ask for one; call once the resource is fully built. */
    void installShutdownHook() {
        if (engine.closeOnShutdown()) {
            Thread hook = new Thread(this::close, "procflux-" + name.replace(' ', '-') + "-shutdown");
            shutdownHook = hook;
            Runtime.getRuntime().addShutdownHook(hook);
        }
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Closes at once: stops taking work and kills every process. */
    void dispose() {
        beginClose(null);
    }

    /** Lazy {@link #dispose()}: completes on a delivery thread once every process is gone. */
    Mono<Void> disposeLater() {
        return Mono.defer(() -> {
            beginClose(null);
            return whenAllGone();
        });
    }

    /**
     * Lazy: stops taking work, lets running processes finish for up to {@code drain} (negative: no limit), then
     * kills what is left; completes on a delivery thread once every process is gone.
     */
    Mono<Void> disposeGracefully(Duration drain) {
        return Mono.defer(() -> {
            beginClose(drain);
            return whenAllGone();
        });
    }

    /**
     * Blocks until {@link #disposeLater()} completes, for at most twice the kill grace period plus a second after the
     * last kill has started. A tree kill takes the grace period, then the forced kill of what is left, the search
     * for escaped pipe holders and up to {@link TreeKiller#FORCED_EXIT_WAIT} for the processes sent SIGKILL to end:
     * within that bound. Waiting for the kills to start has no bound, as killing on the closing thread would have
     * none: each is a few system calls and {@code /proc} reads per process of its tree.
     */
    void close() {
        Duration wait = engine.killGracePeriod().multipliedBy(2).plusSeconds(1);
        try {
            beginClose(null);
            KillQueue k = kills;
            if (k != null) {
                // the kills wait in a queue, a millisecond or more per tree: the bound is for the processes to go
                k.started().block();
            }
            whenAllGone().block(wait);
        }
        catch (IllegalStateException e) {
            log.warn("{} close did not finish within {}: {}", name, wait, metrics.get());
        }
    }

    /**
     * The resource kills its processes on {@code kills}: {@link #close()} lets them start before its bound on the
     * wait begins, and {@code kills} is shut down once the resource is closed and nothing is left (on the thread that
     * saw the last process go, or the closing thread). Call once, before {@link #installShutdownHook()}.
     */
    void killsOn(KillQueue kills) {
        this.kills = kills;
        // a tree kill outlives its root when a descendant ignores SIGTERM: the disposal waits for its forced kill too
        kills.onIdle(this::checkDone);
        allGone.asMono().doOnTerminate(kills::shutdown).subscribe();
    }

    /**
     * Completes the disposal once closed, nothing is left and no tree kill is in flight; call after each process of
     * the resource is gone (the kill queue calls it after its last tree kill has ended).
     */
    void checkDone() {
        KillQueue k = kills;
        if (closed.get() && nothingLeft.getAsBoolean() && (k == null || k.isIdle())) {
            allGone.tryEmitEmpty();
        }
    }

    // the last process may end on the NuProcess I/O thread: completion is moved to the delivery scheduler
    private Mono<Void> whenAllGone() {
        return allGone.asMono().publishOn(engine.deliveryScheduler());
    }

    /** @param drain how long running processes may finish (negative: no limit), or null to kill them at once */
    private void beginClose(@Nullable Duration drain) {
        if (closed.compareAndSet(false, true)) {
            log.debug("closing {}, drain {}", name, drain);
            removeShutdownHook();
            onClose.run();
            if (drain == null || drain.isZero()) {
                killAll.run();
            }
            else if (!drain.isNegative()) {
                engine.timerScheduler().schedule(killAll, drain.toNanos(), TimeUnit.NANOSECONDS);
            }
            checkDone();
        }
        else if (drain == null) {
            // dispose() during a graceful drain cuts it short
            killAll.run();
        }
    }

    private void removeShutdownHook() {
        Thread hook = shutdownHook;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting: the hook is running or about to, and close() is idempotent
            }
        }
    }

    /**
     * Translates reactor-pool's acquire errors; any other error is returned as it is.
     *
     * @param error the acquire's error
     * @param what names the pool and what was refused, as the start of a message ({@code "engine overloaded:
     *        cannot run 'ls'"})
     * @param maxPendingAcquire the pool's limit on waiting callers
     * @param poolState the pool's figures ({@code "acquired=4/4, pending=12"}), read only on error
     * @param timedOut builds the error of an acquire timeout from the pool state and the cause, or null if the pool's acquires never time out
     * @param closedMessage the message of the error for a closed pool
     * @return the translated error
     */
    static Throwable acquireError(Throwable error, String what, int maxPendingAcquire, Supplier<String> poolState,
            @Nullable BiFunction<String, Throwable, ProcessAcquireTimeoutException> timedOut, String closedMessage) {
        if (error instanceof PoolAcquirePendingLimitException) {
            return new ProcessPoolOverloadedException(maxPendingAcquire, what + ": " + poolState.get()
                    + " (maxPendingAcquire=" + maxPendingAcquire + " reached)", error);
        }
        if (timedOut != null && error instanceof TimeoutException) {
            return timedOut.apply(poolState.get(), error);
        }
        if (error instanceof PoolShutdownException) {
            return new ProcessPoolClosedException(closedMessage, error);
        }
        return error;
    }
}
