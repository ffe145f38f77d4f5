package dev.procflux;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The engine (or pool) was closed: no new process starts, waiting callers are released with this error, and so are
 * callers whose running process the close killed. {@link #exitStatus()} tells the two apart: it is present only when
 * a process ran (and says how it died), which matters to callers whose commands have side effects.
 */
public class ProcessPoolClosedException extends ProcessPoolException {
    private static final long serialVersionUID = 1L;

    /** How the process the close killed ended, or null when nothing was running for this caller. */
    private final @Nullable ExitStatus exitStatus;

    /**
     * A close that released a caller with no running process.
     *
     * @param message the full message
     * @param cause the underlying error, if any
     */
    public ProcessPoolClosedException(String message, @Nullable Throwable cause) {
        this(message, cause, null);
    }

    /**
     * @param message the full message
     * @param cause the underlying error, if any
     * @param exitStatus how the process the close killed ended, or null when nothing was running for this caller
     */
    public ProcessPoolClosedException(String message, @Nullable Throwable cause, @Nullable ExitStatus exitStatus) {
        super(message, cause);
        this.exitStatus = exitStatus;
    }

    /**
     * How the process the close killed ended: usually {@code signal 15 (SIGTERM)}, {@code signal 9 (SIGKILL)} when
     * it outlived the grace period, or an exit status when it caught the signal and exited.
     *
     * @return the status, or empty when the caller's command never started (it was waiting for a slot, or the pool
     *         was already closed)
     */
    public Optional<ExitStatus> exitStatus() {
        return Optional.ofNullable(exitStatus);
    }
}
