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

    /**
     * Launching thread, before {@link #onStart}: whether the listener reads stdout itself
     * ({@link LaunchedProcess#directStdout()}) rather than through {@link #onStdout}. Default {@code false}.
     */
    default boolean wantsDirectStdout() {
        return false;
    }

    /** Bytes from stdout; the listener consumes all of {@code buffer}. */
    void onStdout(ByteBuffer buffer);

    /**
     * I/O thread, before {@link #onStdout}: how many bytes beyond the {@code pending} ones the launcher may read from
     * the stdout pipe at once and deliver together with them, in the same callback. Default {@code 0}: only what
     * NuProcess read.
     */
    default int stdoutReadAhead(int pending) {
        return 0;
    }

    /**
     * Bytes from stdout in two pieces, {@code first} then {@code second}, read in one I/O callback (see
     * {@link #stdoutReadAhead}); the listener consumes both. By default, as two {@link #onStdout(ByteBuffer)} calls.
     */
    default void onStdout(ByteBuffer first, ByteBuffer second) {
        onStdout(first);
        if (second.hasRemaining()) {
            onStdout(second);
        }
    }

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
