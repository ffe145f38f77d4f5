package dev.procflux.internal;

/** Gives a {@link ProcessRun} its slot: the engine's pool, or a lease's one slot. */
interface RunScheduler {
    /** Calls {@link ProcessRun#slotGranted} or {@link ProcessRun#slotRefused}, now or later. */
    void schedule(ProcessRun run);
}
