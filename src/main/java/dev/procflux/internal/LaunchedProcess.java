package dev.procflux.internal;

/** Control of a running process, as a {@link Launcher} gives it. */
interface LaunchedProcess {
    long pid();

    /** Asks for {@link ProcessListener#onStdinReady} once the pipe has room. */
    void wantWrite();

    /** Closes stdin once the queued bytes are written. */
    void closeStdin();

    /**
     * Records that procflux sent {@code signal} and starts watching for the exit even if a descendant keeps the
     * pipes open.
     */
    void signalled(int signal);
}
