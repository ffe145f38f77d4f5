package dev.procflux.internal;

import dev.procflux.Command;
import dev.procflux.ProcessOutcome;
import java.time.Duration;
import java.util.function.Consumer;
import reactor.core.scheduler.Scheduler;

/**
 * What a {@link ProcessRun} needs from its engine, and nothing more: how to launch, where to launch, deliver and
 * time, and whom to tell what happened.
 *
 * @param launcher starts the process
 * @param launchScheduler where the launch runs (it blocks)
 * @param deliveryScheduler where the stdin publisher is subscribed and results reach subscribers
 * @param timerScheduler times kill grace periods, in real time
 * @param kills where process trees are killed (never on the thread that asks)
 * @param timeoutClock times the command's timeout (the virtual clock in tests)
 * @param killGracePeriod time between SIGTERM and SIGKILL
 * @param events the run's reports: counters and the user's {@code EngineEvents}
 * @param done called once per run, when it has finished, after its slot was released
 */
record RunContext(Launcher launcher, Scheduler launchScheduler, Scheduler deliveryScheduler, Scheduler timerScheduler,
        KillQueue kills, Scheduler timeoutClock, Duration killGracePeriod, Events events, Consumer<ProcessRun> done) {

    /**
     * A run's reports; called on the launch thread, the NuProcess I/O thread, a timer thread or a kill thread: never
     * block.
     */
    interface Events {
        /** The process was launched. */
        void started(Command command, long pid);

        /** The launch failed: no process. */
        void startFailed(Command command);

        /** The process exited (before its outcome is reported). */
        void exited();

        /** Backpressure stopped the process tree. */
        void paused();

        /** The process tree is being killed: with SIGTERM first, or with SIGKILL if {@code forced}. */
        void killed(Command command, long pid, boolean forced);

        /** How a started process ended and how long it ran. */
        void outcome(Command command, ProcessOutcome outcome, long durationNanos);
    }
}
