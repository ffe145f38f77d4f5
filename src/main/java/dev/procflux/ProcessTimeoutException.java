package dev.procflux;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A time limit ran out. Catch this type to handle every timeout of procflux together; {@link #phase()} says which
 * one it was:
 * <ul>
 * <li>{@link Phase#ACQUIRE}: no slot became free within {@link EngineOptions#acquireTimeout()}; nothing was started
 *     (always a {@link ProcessAcquireTimeoutException});
 * <li>{@link Phase#RUN}: the process ran longer than {@link Command#timeout()}, or a worker's request longer than
 *     {@link WorkerPoolOptions#requestTimeout()}; the process tree has been killed, and for an engine process
 *     {@link #exitStatus()} says how it died: usually SIGTERM, or SIGKILL when it outlived the grace period.
 * </ul>
 */
public class ProcessTimeoutException extends ProcessException {
    private static final long serialVersionUID = 1L;

    /** Which limit ran out. */
    public enum Phase {
        /** Waiting for a slot took longer than {@link EngineOptions#acquireTimeout()}. */
        ACQUIRE,
        /** The process ran longer than {@link Command#timeout()}, or a worker's request longer than its limit. */
        RUN
    }

    /** The limit that ran out. */
    private final Duration timeout;
    /** Which limit ran out. */
    private final Phase phase;
    /** The command that timed out. */
    private final String commandLine;
    /** How the killed process ended, or null when its end was not observed. */
    private final @Nullable ExitStatus exitStatus;

    /**
     * A timeout whose process's end was not observed (or that had no process).
     *
     * @param commandLine the command, as {@link Command#commandLine()}
     * @param phase which limit ran out
     * @param timeout the limit
     */
    public ProcessTimeoutException(String commandLine, Phase phase, Duration timeout) {
        this(commandLine, phase, timeout, null);
    }

    /**
     * @param commandLine the command, as {@link Command#commandLine()}
     * @param phase which limit ran out
     * @param timeout the limit
     * @param exitStatus how the killed process ended, or null when its end was not observed
     */
    public ProcessTimeoutException(String commandLine, Phase phase, Duration timeout,
            @Nullable ExitStatus exitStatus) {
        this("'" + commandLine + "' timed out after " + format(timeout) + " (" + phase + "); process tree killed"
                + (exitStatus == null ? "" : ", ended with " + exitStatus), commandLine, phase, timeout, exitStatus,
                null);
    }

    /**
     * For subtypes that say more in their message.
     *
     * @param message the message
     * @param commandLine the command, as {@link Command#commandLine()}
     * @param phase which limit ran out
     * @param timeout the limit
     * @param exitStatus how the killed process ended, or null when its end was not observed
     * @param cause the underlying error, if any
     */
    protected ProcessTimeoutException(String message, String commandLine, Phase phase, Duration timeout,
            @Nullable ExitStatus exitStatus, @Nullable Throwable cause) {
        super(message, cause);
        this.timeout = timeout;
        this.phase = Objects.requireNonNull(phase, "phase");
        this.commandLine = commandLine;
        this.exitStatus = exitStatus;
    }

    /** @return the limit that ran out */
    public Duration timeout() {
        return timeout;
    }

    /** @return which limit ran out */
    public Phase phase() {
        return phase;
    }

    /** @return the command that timed out */
    public String commandLine() {
        return commandLine;
    }

    /**
     * How the killed process ended: {@code signal 15 (SIGTERM)}, {@code signal 9 (SIGKILL)} when it outlived the
     * grace period, or an exit status when it caught the signal and exited.
     *
     * @return the status, or empty when no process was running ({@link Phase#ACQUIRE}) or its end was not
     *         observed (worker pools)
     */
    public Optional<ExitStatus> exitStatus() {
        return Optional.ofNullable(exitStatus);
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
