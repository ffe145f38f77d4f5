package dev.procflux;

import org.jspecify.annotations.Nullable;

/**
 * Every slot is busy and {@link EngineOptions#maxPendingAcquire()} callers already wait: the call fails at once instead
 * of queueing without bound. Retrying later (HTTP 503 with {@code Retry-After}) is the usual answer.
 */
public class ProcessPoolOverloadedException extends ProcessPoolException {
    private static final long serialVersionUID = 1L;

    /** The limit on waiting callers. */
    private final int maxPendingAcquire;

    /**
     * @param maxPendingAcquire the limit on waiting callers
     * @param message the full message
     * @param cause the underlying error, if any
     */
    public ProcessPoolOverloadedException(int maxPendingAcquire, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.maxPendingAcquire = maxPendingAcquire;
    }

    /** @return the limit on waiting callers that was reached */
    public int maxPendingAcquire() {
        return maxPendingAcquire;
    }
}
