package dev.procflux.internal;

import dev.procflux.Command;
import dev.procflux.ProcessStartException;

/**
 * Starts processes. Kept behind this interface so that the NuProcess launch path (which uses the JDK's VFORK
 * mode, deprecated in JDK 25) can be replaced, and so that unit tests can run without real processes.
 */
interface Launcher {
    /**
     * Starts {@code command}. Blocks briefly (about a millisecond): never call it on an event-loop thread.
     *
     * @throws ProcessStartException if the process could not be started; the listener is not called then
     */
    LaunchedProcess launch(Command command, ProcessListener listener);
}
