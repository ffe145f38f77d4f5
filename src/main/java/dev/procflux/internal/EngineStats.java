package dev.procflux.internal;

import dev.procflux.Command;
import dev.procflux.EngineMetrics;
import dev.procflux.EngineOptions;
import dev.procflux.ProcessOutcome;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The engine's counters and the calls of the user's {@link dev.procflux.EngineEvents}: a callback that throws is
 * logged, never passed on to the run that reported.
 */
final class EngineStats implements RunContext.Events {
    // the engine's logger: these are the engine's messages
    private static final Logger log = Loggers.getLogger(DefaultProcessEngine.class);

    private final EngineOptions options;
    // all written by any thread that reports; adders and atomics, no lock
    private final AtomicInteger running = new AtomicInteger();
    private final LongAdder started = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder startFailures = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder pauses = new LongAdder();
    private final AtomicLong peakBuffered = new AtomicLong();

    EngineStats(EngineOptions options) {
        this.options = options;
    }

    /** Fills in the counted figures. */
    EngineMetrics.Builder fill(EngineMetrics.Builder b) {
        return b.alive(running.get()).started(started.sum()).succeeded(succeeded.sum()).failed(failed.sum())
                .timedOut(timedOut.sum()).cancelled(cancelled.sum()).startFailures(startFailures.sum())
                .rejected(rejected.sum()).peakBufferedBytes(peakBuffered.get()).pauses(pauses.sum());
    }

    /** A run or lease got no slot: overloaded, timed out or closed. */
    void rejected() {
        rejected.increment();
    }

    void slotAcquired(long requestedNanos) {
        try {
            options.events().slotAcquired(Duration.ofNanos(System.nanoTime() - requestedNanos));
        }
        catch (RuntimeException e) {
            log.warn("EngineEvents.slotAcquired failed", e);
        }
    }

    /** Keeps the peak of one process's queued output; a CAS only when a new peak is set. */
    void observeBuffered(long bytes) {
        long peak = peakBuffered.get();
        while (bytes > peak && !peakBuffered.compareAndSet(peak, bytes)) {
            peak = peakBuffered.get();
        }
    }

    @Override
    public void started(Command command, long pid) {
        started.increment();
        running.incrementAndGet();
        log.debug("started pid {}: {}", pid, command);
        try {
            options.events().processStarted(command, pid);
        }
        catch (RuntimeException e) {
            log.warn("EngineEvents.processStarted failed", e);
        }
    }

    @Override
    public void startFailed(Command command) {
        startFailures.increment();
        ended(command, ProcessOutcome.START_FAILED, 0);
    }

    @Override
    public void exited() {
        running.decrementAndGet();
    }

    @Override
    public void paused() {
        pauses.increment();
    }

    @Override
    public void outcome(Command command, ProcessOutcome outcome, long durationNanos) {
        switch (outcome) {
            case SUCCEEDED:
                succeeded.increment();
                break;
            case FAILED:
                failed.increment();
                break;
            case TIMED_OUT:
                timedOut.increment();
                break;
            default:
                cancelled.increment();
        }
        ended(command, outcome, durationNanos);
    }

    private void ended(Command command, ProcessOutcome outcome, long durationNanos) {
        try {
            options.events().processEnded(command, outcome, Duration.ofNanos(durationNanos));
        }
        catch (RuntimeException e) {
            log.warn("EngineEvents.processEnded failed", e);
        }
    }

    @Override
    public void killed(Command command, long pid, boolean forced) {
        if (forced) {
            log.warn("pid {} survived SIGTERM for the grace period of {}: sent SIGKILL to its tree ({})", pid,
                    options.killGracePeriod(), command.commandLine());
        }
        else {
            log.debug("killing pid {} and its tree: {}", pid, command.commandLine());
        }
        try {
            options.events().processKilled(command, pid, forced);
        }
        catch (RuntimeException e) {
            log.warn("EngineEvents.processKilled failed", e);
        }
    }
}
