package dev.procflux;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * No slot became free within {@link EngineOptions#acquireTimeout()}. Nothing was started. A
 * {@link ProcessTimeoutException} of {@link ProcessTimeoutException.Phase#ACQUIRE phase ACQUIRE}, so one
 * {@code catch (ProcessTimeoutException e)} or {@code onErrorResume(ProcessTimeoutException.class, ...)} handles
 * every timeout; catch this type first to tell a full engine from a slow process.
 */
public class ProcessAcquireTimeoutException extends ProcessTimeoutException {
    private static final long serialVersionUID = 1L;

    /** The pool figures when it ran out. */
    private final String poolState;

    /**
     * @param commandLine the command that waited, as {@link Command#commandLine()}, or {@code ""} for a lease
     * @param acquireTimeout the limit
     * @param poolState the pool figures when it ran out ({@code acquired=8/8, pending=12})
     * @param cause the underlying error, if any
     */
    public ProcessAcquireTimeoutException(String commandLine, Duration acquireTimeout, String poolState,
            @Nullable Throwable cause) {
        super("acquire timed out after " + format(acquireTimeout) + ": " + poolState, commandLine, Phase.ACQUIRE,
                acquireTimeout, null, cause);
        this.poolState = poolState;
    }

    /** @return the limit that ran out, as {@link #timeout()} */
    public Duration acquireTimeout() {
        return timeout();
    }

    /** @return the pool figures when it ran out */
    public String poolState() {
        return poolState;
    }
}
