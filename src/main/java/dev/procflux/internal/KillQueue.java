package dev.procflux.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Where the tree kills of one owner (an engine, a worker pool) run: its own daemon threads, never the thread that
 * asked for the kill. A cancel arrives on whatever thread the subscriber cancelled on (a Netty event loop when an HTTP
 * client hangs up), a timeout on the timer, an output overflow on the NuProcess I/O thread, a close on the closing
 * thread; freezing, listing ({@code /proc} reads) and signalling a tree takes a millisecond or more, which none of them
 * may spend. Asking costs the caller a queue offer.
 *
 * <p>At most {@link #THREADS} threads, started by the first kills and ended after {@link #IDLE_SECONDS} without one;
 * the queue is unbounded, so a wave of cancels never blocks or fails a caller. The owner calls {@link #shutdown()}
 * once its last process is gone: queued kills still run, and a kill asked for after that (nothing is left to kill
 * then, so it finds its process gone) runs on the caller.
 *
 * <p>The queue also counts the tree kills in flight ({@link #treeKillStarted()}): a tree kill outlasts its root when a
 * descendant ignores SIGTERM, and its owner counts as closed only once the forced kill after the grace period has run
 * too, since a JVM that exits first ends the daemon threads that would run it.
 */
final class KillQueue {
    private static final Logger log = Loggers.getLogger(KillQueue.class);
    /** Kills are system calls and {@code /proc} reads: more threads than cores add nothing. */
    static final int THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    static final long IDLE_SECONDS = 10;
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();
    /** The queue whose kill the current thread is running, if any. */
    private static final ThreadLocal<@Nullable KillQueue> RUNNING = new ThreadLocal<>();

    private final Executor executor;
    private final Runnable shutdown;
    // tree kills from their request until TreeKiller has finished them: incremented by the thread that asks,
    // decremented by the thread that finishes the kill (a kill thread, or the asking thread once shut down)
    private final AtomicInteger treeKills = new AtomicInteger();
    // set once by the owner's Lifecycle while the owner is built, before its first kill
    private volatile Runnable onIdle = () -> { };

    /**
     * @param executor runs the kills
     * @param shutdown stops {@code executor} once the queued kills have run
     */
    KillQueue(Executor executor, Runnable shutdown) {
        this.executor = executor;
        this.shutdown = shutdown;
    }

    /** @param owner names the threads: {@code procflux-OWNER-kill-N} */
    static KillQueue ownThreads(String owner) {
        String prefix = "procflux-" + owner.replace(' ', '-') + "-kill-";
        ThreadPoolExecutor threads = new ThreadPoolExecutor(THREADS, THREADS, IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    // created on whichever thread kills first: inherit none of its inheritable thread locals
                    Thread t = new Thread(null, r, prefix + THREAD_IDS.incrementAndGet(), 0, false);
                    t.setDaemon(true);
                    t.setPriority(Thread.NORM_PRIORITY);
                    return t;
                });
        threads.allowCoreThreadTimeOut(true);
        return new KillQueue(threads, threads::shutdown);
    }

    /** Runs {@code kill} on a kill thread, or on the caller once the queue is shut down. */
    void submit(Runnable kill) {
        Runnable logged = () -> {
            KillQueue outer = RUNNING.get();
            RUNNING.set(this);
            try {
                kill.run();
            }
            catch (RuntimeException e) {
                // a kill thread has no caller to pass it to
                log.warn("process tree kill failed", e);
            }
            finally {
                RUNNING.set(outer);
            }
        };
        try {
            executor.execute(logged);
        }
        catch (RejectedExecutionException shutDown) {
            logged.run();
        }
    }

    /**
     * @return completes once every kill queued before this call has started (the queue is first in, first out): at
     *     most {@link #THREADS} of them may still be running then; at once when called from a kill of this queue
     *     (a close from an {@code EngineEvents} callback), which must not wait for the kills queued behind itself
     */
    Mono<Void> started() {
        if (RUNNING.get() == this) {
            return Mono.empty();
        }
        Sinks.Empty<Void> started = Sinks.empty();
        submit(started::tryEmitEmpty);
        return started.asMono();
    }

    /**
     * Counts a tree kill as in flight, from now until the returned callback first runs. Costs the caller an atomic
     * increment.
     *
     * @return ends the count of this kill; idempotent; the last one to end runs {@link #onIdle(Runnable)}'s callback
     */
    Runnable treeKillStarted() {
        treeKills.incrementAndGet();
        AtomicBoolean ended = new AtomicBoolean();
        return () -> {
            if (ended.compareAndSet(false, true) && treeKills.decrementAndGet() == 0) {
                onIdle.run();
            }
        };
    }

    /** @return whether no tree kill is in flight ({@link #treeKillStarted()}) */
    boolean isIdle() {
        return treeKills.get() == 0;
    }

    /** @param callback runs whenever the last tree kill in flight has ended, on the thread that ended it */
    void onIdle(Runnable callback) {
        this.onIdle = callback;
    }

    /** Stops taking kills; the queued ones still run, and the threads end once they have. */
    void shutdown() {
        shutdown.run();
    }
}
