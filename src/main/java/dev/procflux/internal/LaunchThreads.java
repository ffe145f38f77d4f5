package dev.procflux.internal;

import reactor.core.scheduler.Schedulers;

/**
 * Where a launch may run. Launching blocks for about a millisecond behind NuProcess's global lock, so it must never
 * run on a thread that serves others: NuProcess's own I/O threads, Reactor's non-blocking schedulers (parallel,
 * single, where results are delivered and timeouts fire) and Netty event loops. Any other thread (a caller that
 * subscribes from {@code main}, a {@code boundedElastic} worker, a benchmark thread) may launch by itself, which
 * saves the hand-off to the launch thread: the same blocking {@code ProcessBuilder.start()} would cost it.
 */
final class LaunchThreads {
    private static final String NUPROCESS_IO_THREAD = "NuProcessQueue-";
    private static final String NETTY_THREAD = "io.netty.util.concurrent.FastThreadLocalThread";

    private LaunchThreads() {
    }

    /** @return whether the current thread may block for a launch */
    static boolean mayLaunchHere() {
        if (Schedulers.isInNonBlockingThread()) {
            return false;
        }
        Thread thread = Thread.currentThread();
        if (thread.getName().startsWith(NUPROCESS_IO_THREAD)) {
            return false;
        }
        for (Class<?> c = thread.getClass(); c != null && c != Thread.class; c = c.getSuperclass()) {
            if (c.getName().equals(NETTY_THREAD)) {
                return false;
            }
        }
        return true;
    }
}
