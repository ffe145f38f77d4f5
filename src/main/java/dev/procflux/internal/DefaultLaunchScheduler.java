package dev.procflux.internal;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The default launch scheduler: one daemon thread for the whole JVM, created on first use. Measured against
 * {@code boundedElastic} it launches as fast at 1 and 8 in flight, and 500 concurrent processes add no thread
 * instead of up to 20 (docs/performance.md, "Threads").
 */
final class DefaultLaunchScheduler {
    private DefaultLaunchScheduler() {
    }

    /** @return the shared launch scheduler; never disposed, its thread is a daemon */
    static Scheduler get() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final Scheduler INSTANCE = Schedulers.newSingle("procflux-launch", true);
    }
}
