package dev.procflux.micrometer;

import dev.procflux.PoolEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;

/** One pool's Reactor Pool figures as meters, in every registry bound; {@code what} names the resource. */
final class PoolMeters implements PoolEvents {
    final ProcfluxMeters owner;
    final String prefix;
    final String what;
    final Tags tags;
    // copy-on-write under owner's lock; read without a lock by the callbacks. Empty exactly while the owner has
    // no registry: then a callback hands its event to the owner, whose first bindTo calls it again
    private volatile PoolTimers[] timers = new PoolTimers[0];

    PoolMeters(ProcfluxMeters owner, String prefix, String what, Tags tags) {
        this.owner = owner;
        this.prefix = prefix;
        this.what = what;
        this.tags = tags;
    }

    void bindTo(MeterRegistry registry) {
        PoolTimers[] current = timers;
        PoolTimers[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = new PoolTimers(registry, prefix, what, tags);
        timers = next;
    }

    @Override
    public void allocationSucceeded(Duration latency) {
        if (timers.length == 0 && owner.holdUntilBound(() -> allocationSucceeded(latency))) {
            return;
        }
        for (PoolTimers t : timers) {
            t.allocated.record(latency);
        }
    }

    @Override
    public void allocationFailed(Duration latency) {
        if (timers.length == 0 && owner.holdUntilBound(() -> allocationFailed(latency))) {
            return;
        }
        for (PoolTimers t : timers) {
            t.allocationFailed.record(latency);
        }
    }

    @Override
    public void pendingAcquireSucceeded(Duration waited) {
        if (timers.length == 0 && owner.holdUntilBound(() -> pendingAcquireSucceeded(waited))) {
            return;
        }
        for (PoolTimers t : timers) {
            t.queued.record(waited);
        }
    }

    @Override
    public void pendingAcquireFailed(Duration waited) {
        if (timers.length == 0 && owner.holdUntilBound(() -> pendingAcquireFailed(waited))) {
            return;
        }
        for (PoolTimers t : timers) {
            t.queuedFailed.record(waited);
        }
    }

    @Override
    public void acquiredAfterIdle(Duration idleTime) {
        if (timers.length == 0 && owner.holdUntilBound(() -> acquiredAfterIdle(idleTime))) {
            return;
        }
        for (PoolTimers t : timers) {
            t.idle.record(idleTime);
        }
    }

    @Override
    public void returned(Duration latency) {
        if (timers.length == 0 && owner.holdUntilBound(() -> returned(latency))) {
            return;
        }
        for (PoolTimers t : timers) {
            t.release.record(latency);
        }
    }

    @Override
    public void keptIdle() {
        if (timers.length == 0 && owner.holdUntilBound(() -> keptIdle())) {
            return;
        }
        for (PoolTimers t : timers) {
            t.kept.increment();
        }
    }

    @Override
    public void destroying(Duration age) {
        if (timers.length == 0 && owner.holdUntilBound(() -> destroying(age))) {
            return;
        }
        for (PoolTimers t : timers) {
            t.lifetime.record(age);
        }
    }

    @Override
    public void destroyed(Duration latency) {
        if (timers.length == 0 && owner.holdUntilBound(() -> destroyed(latency))) {
            return;
        }
        for (PoolTimers t : timers) {
            t.destroy.record(latency);
        }
    }

    /** One pool's meters in one registry. */
    private static final class PoolTimers {
        final Timer allocated;
        final Timer allocationFailed;
        final Timer queued;
        final Timer queuedFailed;
        final Timer idle;
        final Timer release;
        final Counter kept;
        final Timer lifetime;
        final Timer destroy;

        PoolTimers(MeterRegistry registry, String prefix, String what, Tags tags) {
            allocated = timer(registry, prefix + ".allocation", "Time to create a " + what,
                    tags.and("outcome", "success"));
            allocationFailed = timer(registry, prefix + ".allocation", "Time to create a " + what,
                    tags.and("outcome", "failure"));
            queued = timer(registry, prefix + ".queued", "Time queued for a " + what
                    + ", by acquisitions that had to queue", tags.and("outcome", "success"));
            queuedFailed = timer(registry, prefix + ".queued", "Time queued for a " + what
                    + ", by acquisitions that had to queue", tags.and("outcome", "failure"));
            idle = timer(registry, prefix + ".idle.duration", "Time a " + what + " was idle before it was handed out",
                    tags);
            release = timer(registry, prefix + ".release", "Returns of a " + what + " to the pool", tags);
            kept = Counter.builder(prefix + ".release.kept").description("Returns that kept the " + what
                    + " for reuse").tags(tags).register(registry);
            lifetime = timer(registry, prefix + ".lifetime", "Age of a " + what + " when it was destroyed", tags);
            destroy = timer(registry, prefix + ".destroy", "Time to destroy a " + what, tags);
        }

        private static Timer timer(MeterRegistry registry, String name, String description, Tags tags) {
            return Timer.builder(name).description(description).tags(tags).register(registry);
        }
    }
}
