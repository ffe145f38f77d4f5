package dev.procflux.internal;

import java.util.List;
import org.jspecify.annotations.Nullable;

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

    /** @return whether both output pipes have reached end-of-file (no process holds their write ends) */
    boolean outputClosed();

    /**
     * Runs {@code callback} once, when both output pipes have reached end-of-file: at once (on the caller) if they
     * have, else on the thread that sees the second one close, the NuProcess I/O thread, so the callback must only
     * hand work on. Only the last callback registered runs. A launcher that cannot tell never runs it: then
     * {@link #outputClosed()} is polled.
     */
    default void whenOutputClosed(Runnable callback) {
    }

    /**
     * @return the real stdout pipe when the listener asked to read it itself
     *     ({@link ProcessListener#wantsDirectStdout}) and the launcher could give it; null when the launcher reads
     *     stdout and calls {@link ProcessListener#onStdout}
     */
    default @Nullable DirectStdout directStdout() {
        return null;
    }

    /**
     * Sets the capacity of the stdout pipe (more room lets the child run ahead and each read take a full 64 KiB).
     *
     * @return the capacity now, or -1 when refused (above {@code /proc/sys/fs/pipe-max-size}, below what the pipe
     *         holds, or closed)
     */
    default int resizeStdoutPipe(int bytes) {
        return -1;
    }

    /**
     * Asks for a stdin pipe of {@code bytes} ({@code fcntl(F_SETPIPE_SZ)}).
     *
     * @return the capacity now, or -1 when refused or closed
     */
    default int resizeStdinPipe(int bytes) {
        return -1;
    }

    /** @return the identities of the output pipes still open, as {@code /proc/self/fd} shows them ("pipe:[123]") */
    List<String> outputPipes();
}
