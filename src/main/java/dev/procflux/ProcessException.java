package dev.procflux;

import org.jspecify.annotations.Nullable;

/**
 * Base type of every error procflux signals: catch this to catch them all.
 *
 * <p>Messages name what failed, the command (environment values are never included) and the key numbers.
 */
public class ProcessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the underlying error, if any
     */
    public ProcessException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
