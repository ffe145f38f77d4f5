package dev.procflux;

import java.time.Duration;

/**
 * Callbacks for observability (metrics, tracing): add with {@link ProcessEngine.Builder#addEvents(EngineEvents)}.
 * The Micrometer binding {@code dev.procflux.micrometer.ProcfluxMeters} implements it.
 *
 * <p><b>Threading:</b> called on engine threads, including the shared process I/O thread: implementations must
 * be fast, thread-safe and must never block (recording a meter is fine; I/O is not). An exception thrown here is
 * logged and otherwise ignored.
 */
public interface EngineEvents {
    /** Does nothing; the default. */
    EngineEvents NONE = new EngineEvents() {
    };

    /**
     * A caller got a slot.
     *
     * @param waited the time from the request to the grant
     */
    default void slotAcquired(Duration waited) {
    }

    /**
     * A process started.
     *
     * @param command the command
     * @param pid its process id
     */
    default void processStarted(Command command, long pid) {
    }

    /**
     * A run ended; every run that got a slot ends exactly once.
     *
     * @param command the command
     * @param outcome how it ended
     * @param duration from launch to the exit being observed ({@link Duration#ZERO} if it never started)
     */
    default void processEnded(Command command, ProcessOutcome outcome, Duration duration) {
    }

    /**
     * procflux signalled a process tree to die. Called on the engine's kill threads, never on the thread that
     * cancelled or closed: the graceful call comes right before the tree is frozen and sent SIGTERM.
     *
     * @param command the command
     * @param pid the root's process id
     * @param forced {@code false} for the graceful SIGTERM, {@code true} for the SIGKILL after the grace period
     */
    default void processKilled(Command command, long pid, boolean forced) {
    }
}
