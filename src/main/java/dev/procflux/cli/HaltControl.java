package dev.procflux.cli;

import dev.procflux.ProcessEngine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * When one {@code procflux run} stops starting jobs and kills the running ones, and the exit status that follows:
 * {@code --halt}, a closed stdout, Ctrl-C or SIGTERM ({@link #interrupt()}) and an error of the run itself.
 *
 * <p>Killing closes the engine rather than cancelling the jobs: a cancelled job would vanish, while a closed engine
 * fails each running job only once its tree is gone, saying how it died, so that the killed job still gets its
 * joblog line with its signal and runtime. A job the engine never launched fails without an exit status and is
 * dropped, as GNU parallel drops jobs it never started.
 *
 * <p>Thread-safe: jobs end on engine threads, Ctrl-C arrives on the signal thread, a closed stdout on the output
 * thread or Main's watcher; every field is atomic or set once.
 */
final class HaltControl {
    private final HaltPolicy policy;
    private final Counters counters;
    // fired once: stop reading input (halt soon, halt now, Ctrl-C); thread-safe emission via fire()
    private final Sinks.Empty<Void> stopStarting = Sinks.empty();
    private final AtomicBoolean halted = new AtomicBoolean();
    // the outcome that triggered --halt (set once, on the engine thread that delivered it); its message is printed
    // right after its output, or at the end if the output failed before reaching it
    private final AtomicReference<@Nullable JobOutcome> trigger = new AtomicReference<>();
    private final AtomicBoolean triggerReported = new AtomicBoolean();
    private final AtomicBoolean interrupted = new AtomicBoolean();
    // set once when a write to stdout fails (its reader is gone): from the output thread or Main's watcher
    private final AtomicBoolean stdoutClosed = new AtomicBoolean();
    private final AtomicBoolean failed = new AtomicBoolean();
    // set once by attach() before any job starts; read by killRunning() from an engine thread (halt now), the
    // signal thread (interrupt) or the output thread (closed stdout)
    private volatile @Nullable ProcessEngine engine;

    HaltControl(HaltPolicy policy, Counters counters) {
        this.policy = policy;
        this.counters = counters;
    }

    /** The engine the jobs run on, which a kill closes; called once, before any job starts. */
    void attach(ProcessEngine e) {
        engine = e;
        if (interrupted.get()) {
            // interrupt() ran before the engine existed, so it could not close it
            e.close();
        }
    }

    /** @return completes when no more jobs may start */
    Mono<Void> stopStarting() {
        return stopStarting.asMono();
    }

    /** @return whether no more jobs may start */
    boolean isHalted() {
        return halted.get();
    }

    /** Ctrl-C: start nothing more and kill every running job tree. Safe from any thread, idempotent. */
    void interrupt() {
        if (interrupted.compareAndSet(false, true)) {
            killAll();
        }
    }

    /** Stdout's reader is gone: start nothing more and kill the running jobs. Safe from any thread, idempotent. */
    void stdoutClosed() {
        if (stdoutClosed.compareAndSet(false, true)) {
            killAll();
        }
    }

    /** The run itself failed (its input or output): start nothing more and kill the running jobs. */
    void failed() {
        if (failed.compareAndSet(false, true)) {
            killAll();
        }
    }

    boolean isInterrupted() {
        return interrupted.get();
    }

    boolean isStdoutClosed() {
        return stdoutClosed.get();
    }

    /**
     * Counts an ended job towards {@code --halt}, on the engine thread that ended it: there rather than on the output
     * thread, so that no other job can start between this failure and the halt decision.
     */
    void jobEnded(JobOutcome o) {
        if (o.isFailure() && policy.shouldHalt(counters.failed(), counters.started())
                && halted.compareAndSet(false, true)) {
            trigger.set(o);
            fire(stopStarting);
            if (policy.when() == HaltPolicy.When.NOW) {
                killRunning();
            }
        }
    }

    /** @return whether {@code o} is the outcome that made the run halt */
    boolean isTrigger(JobOutcome o) {
        return o == trigger.get();
    }

    /** @return the message saying that the run halts, once: the first call after the halt; empty otherwise */
    Optional<String> haltMessage() {
        if (trigger.get() == null || !triggerReported.compareAndSet(false, true)) {
            return Optional.empty();
        }
        boolean now = policy.when() == HaltPolicy.When.NOW;
        return Optional.of("halting (--halt " + policy + "): " + counters.failed() + " failed; starting no more jobs"
                + (now ? " and killing the running ones" : ""));
    }

    /** @return whether running jobs were killed rather than left to finish (Ctrl-C, SIGTERM, halt now) */
    boolean killing() {
        return interrupted.get() || stdoutClosed.get()
                || trigger.get() != null && policy.when() == HaltPolicy.When.NOW;
    }

    /** @return whether the run ends without a summary: its stdout is gone or the run itself failed */
    boolean endsQuietly() {
        return stdoutClosed.get() || failed.get();
    }

    /**
     * @return the exit status: {@link ExitCode#STDOUT_CLOSED}, {@link ExitCode#RUN_ERROR},
     *         {@link ExitCode#INTERRUPTED} (after a signal the JVM exits with 128 + its number instead), or the
     *         number of failed jobs, capped
     */
    int exitStatus() {
        if (stdoutClosed.get()) {
            // as a program killed by SIGPIPE: quietly, with 128 + 13
            return ExitCode.STDOUT_CLOSED;
        }
        if (failed.get()) {
            return ExitCode.RUN_ERROR;
        }
        if (interrupted.get()) {
            return ExitCode.INTERRUPTED;
        }
        return ExitCode.failedJobs(counters.failed());
    }

    private void killAll() {
        halted.set(true);
        fire(stopStarting);
        killRunning();
    }

    /** Kills every running tree by closing the engine; each killed job still ends with a KILLED outcome. */
    private void killRunning() {
        ProcessEngine e = engine;
        if (e != null) {
            // completion is awaited by the engine's close() at the end of the run
            e.dispose();
        }
    }

    private static void fire(Sinks.Empty<Void> sink) {
        // two threads may fire at once (halt on an engine thread, Ctrl-C on the signal thread); the loser of the
        // race sees FAIL_NON_SERIALIZED and retries, a later call sees it already terminated, which is fine
        sink.emitEmpty(Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }
}
