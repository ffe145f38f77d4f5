package dev.procflux;

import java.time.Duration;

/** A time limit ran out; the process tree has been killed (or was never started). */
public class ProcessTimeoutException extends ProcessException {
    private static final long serialVersionUID = 1L;

    /** Which limit ran out. */
    public enum Phase {
        /** Waiting for the process to start. */
        START,
        /** The process ran longer than {@link Command#timeout()}. */
        RUN,
        /** The process survived its kill for longer than the grace period. */
        KILL
    }

    /** The limit that ran out. */
    private final Duration timeout;
    /** Which limit ran out. */
    private final Phase phase;
    /** The command that timed out. */
    private final String commandLine;

    /**
     * @param commandLine the command, as {@link Command#commandLine()}
     * @param phase which limit ran out
     * @param timeout the limit
     */
    public ProcessTimeoutException(String commandLine, Phase phase, Duration timeout) {
        super("'" + commandLine + "' timed out after " + format(timeout) + " (" + phase + "); process tree killed",
                null);
        this.timeout = timeout;
        this.phase = phase;
        this.commandLine = commandLine;
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

    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
