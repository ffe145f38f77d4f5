package dev.procflux;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** No slot became free within {@link EngineOptions#acquireTimeout()}. Nothing was started. */
public class ProcessAcquireTimeoutException extends ProcessPoolException {
    private static final long serialVersionUID = 1L;

    /** The limit that ran out. */
    private final Duration acquireTimeout;
    /** The pool figures when it ran out. */
    private final String poolState;

    /**
     * @param acquireTimeout the limit
     * @param poolState the pool figures when it ran out ({@code acquired=8/8, pending=12})
     * @param cause the underlying error, if any
     */
    public ProcessAcquireTimeoutException(Duration acquireTimeout, String poolState, @Nullable Throwable cause) {
        super("acquire timed out after " + ProcessTimeoutException.format(acquireTimeout) + ": " + poolState, cause);
        this.acquireTimeout = acquireTimeout;
        this.poolState = poolState;
    }

    /** @return the limit that ran out */
    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    /** @return the pool figures when it ran out */
    public String poolState() {
        return poolState;
    }
}
