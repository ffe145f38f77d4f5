package dev.procflux.internal;

import dev.procflux.ExitStatus;
import java.nio.ByteBuffer;

/**
 * Where a {@link ProcessRun} sends what it observes. The {@code on*} byte methods run on the shared I/O thread:
 * they copy the buffer and return at once.
 */
interface RunOutput {
    /**
     * The process is running. Called once, on the launching thread, before any output callback; never for a run
     * whose process did not start.
     */
    default void started(long pid) {
    }

    /** Launching thread: whether this output reads stdout itself ({@link ProcessListener#wantsDirectStdout}). */
    default boolean wantsDirectStdout() {
        return false;
    }

    /** @return {@code false} when a limit was exceeded and the process must be killed */
    boolean onStdout(ByteBuffer buffer);

    /**
     * I/O thread: how many stdout bytes beyond the {@code pending} ones may be read at once and queued with them
     * ({@link ProcessListener#stdoutReadAhead}). Default {@code 0}.
     */
    default int stdoutReadAhead(int pending) {
        return 0;
    }

    /**
     * Stdout in two pieces read in one I/O callback ({@link ProcessListener#onStdout(ByteBuffer, ByteBuffer)}).
     *
     * @return {@code false} when a limit was exceeded and the process must be killed
     */
    default boolean onStdout(ByteBuffer first, ByteBuffer second) {
        return onStdout(first) && (!second.hasRemaining() || onStdout(second));
    }

    /** @return {@code false} when a limit was exceeded and the process must be killed */
    boolean onStderr(ByteBuffer buffer);

    /** The message of the overflow that made {@link #onStdout}/{@link #onStderr} return false. */
    String overflowMessage();

    /** @return the limit that overflowed */
    long overflowLimit();

    /** The process ended on its own (not killed by procflux). Called once, off the I/O thread is not guaranteed. */
    void complete(long pid, ExitStatus status, long durationNanos);

    /** The run failed; called at most once, never after {@link #complete}. */
    void fail(Throwable error);
}
