package dev.procflux;

import org.jspecify.annotations.Nullable;

/** The engine (or pool) was closed: no new process starts, waiting callers are released with this error. */
public class ProcessPoolClosedException extends ProcessPoolException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the full message
     * @param cause the underlying error, if any
     */
    public ProcessPoolClosedException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
