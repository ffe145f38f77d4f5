package dev.procflux;

import org.jspecify.annotations.Nullable;

/**
 * No slot to run in: the engine is overloaded, timed out waiting, or closed. Nothing was started, unless a
 * {@link ProcessPoolClosedException} has an {@link ProcessPoolClosedException#exitStatus() exit status}: then the
 * close killed the caller's running process.
 */
public class ProcessPoolException extends ProcessException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with the pool figures
     * @param cause the underlying error, if any
     */
    public ProcessPoolException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
