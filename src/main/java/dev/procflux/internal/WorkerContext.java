package dev.procflux.internal;

import dev.procflux.ProcessPoolClosedException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import reactor.core.scheduler.Scheduler;

/**
 * What a {@link WorkerProcess} needs from its pool, and nothing more: where to deliver and time, how long a request
 * may take, how to name the command in errors, and whom to tell what happened.
 *
 * @param deliveryScheduler where replies and errors reach callers, and where a worker's output is decoded
 * @param timerScheduler times request timeouts and kill grace periods
 * @param kills where the worker's process tree is killed (never on the thread that asks)
 * @param killGracePeriod time between SIGTERM and SIGKILL
 * @param requestTimeout how long one request may take; negative for no limit
 * @param commandLine the worker command, as error messages name it
 * @param closed whether the pool is closed
 * @param events the worker's reports: the pool's counters and its start gate
 * @param gone called once per worker, when its exit was handled or its launch failed
 */
record WorkerContext(Scheduler deliveryScheduler, Scheduler timerScheduler, KillQueue kills, Duration killGracePeriod,
        Duration requestTimeout, String commandLine, BooleanSupplier closed, Events events,
        Consumer<WorkerProcess<?, ?>> gone) {

    /** The error for work the closed pool refuses or aborted; {@code what} says which. */
    ProcessPoolClosedException closedError(String what) {
        return new ProcessPoolClosedException("worker pool '" + commandLine + "' closed: " + what, null);
    }

    /** A worker's reports; called on the delivery, timer or launch thread: never block. */
    interface Events {
        /** A request was answered. */
        void succeeded();

        /** A request failed: crash, timeout, protocol error. */
        void failed();

        /** The worker answered its first request: its start counts as a success. */
        void startSucceeded();

        /** The worker could not be launched or died before answering its first request. */
        void startFailed(RuntimeException failure);
    }
}
