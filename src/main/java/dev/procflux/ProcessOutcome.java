package dev.procflux;

/** How a run ended, as counted by {@link EngineMetrics} and reported to {@link EngineEvents}. */
public enum ProcessOutcome {
    /** Exited with status 0. */
    SUCCEEDED,
    /** Exited non-zero or died of a signal procflux did not send; or its output overflowed; or its stdin failed. */
    FAILED,
    /** Killed because {@link Command#timeout()} ran out. */
    TIMED_OUT,
    /** Killed because the subscriber cancelled or the engine closed. */
    CANCELLED,
    /** Never started: see {@link ProcessStartException}. */
    START_FAILED
}
