package dev.procflux.internal;

import dev.procflux.ExitStatus;
import java.nio.ByteBuffer;

/**
 * What a {@link Launcher} reports about one process. Output and stdin callbacks run on the shared I/O thread:
 * they must not block and must consume (or copy) the buffer before returning, since it is reused.
 */
interface ProcessListener {
    /**
     * The process exists; called on the launching thread before any other callback, so the handle is known before
     * the I/O thread asks for stdin.
     */
    default void onStart(LaunchedProcess process) {
    }

    /** Bytes from stdout; the listener consumes all of {@code buffer}. */
    void onStdout(ByteBuffer buffer);

    /** Bytes from stderr; the listener consumes all of {@code buffer}. */
    void onStderr(ByteBuffer buffer);

    /**
     * Room in the stdin pipe: fill {@code buffer} (flip it) and return whether more is wanted. Called only after
     * {@link LaunchedProcess#wantWrite()}.
     */
    boolean onStdinReady(ByteBuffer buffer);

    /** The process has exited; called exactly once, after all its output (unless it was killed). */
    void onExit(ExitStatus status);
}
