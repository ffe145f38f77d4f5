package dev.procflux;

import org.jspecify.annotations.Nullable;

/**
 * A worker process of a {@link WorkerPool} died without answering: killed by a signal, crashed, or exited at
 * start. The pool replaces it; the request is not retried, since it may have had effects. The message includes the
 * exit status and the tail of the worker's stderr.
 */
public class WorkerCrashedException extends ProcessException {
    private static final long serialVersionUID = 1L;

    /** The command, as {@link Command#commandLine()}. */
    private final String commandLine;
    /** The worker's process id. */
    private final long pid;
    /** How the process ended. */
    private final ExitStatus exitStatus;
    /** The last part of stderr. */
    private final String stderrTail;

    /**
     * @param commandLine the worker command, as {@link Command#commandLine()}
     * @param pid the worker's process id
     * @param exitStatus how the worker ended
     * @param stderrTail the last part of what the worker wrote to stderr
     * @param when what the worker was doing ("while handling a request")
     * @param cause the underlying error, if any
     */
    public WorkerCrashedException(String commandLine, long pid, ExitStatus exitStatus, String stderrTail,
            String when, @Nullable Throwable cause) {
        super("worker '" + commandLine + "' (pid " + pid + ") died with " + exitStatus + " " + when
                + (stderrTail.isBlank() ? "; stderr was empty" : "; stderr ends with: " + stderrTail.strip()), cause);
        this.commandLine = commandLine;
        this.pid = pid;
        this.exitStatus = exitStatus;
        this.stderrTail = stderrTail;
    }

    /** @return the worker command */
    public String commandLine() {
        return commandLine;
    }

    /** @return the worker's process id */
    public long pid() {
        return pid;
    }

    /** @return how the worker ended */
    public ExitStatus exitStatus() {
        return exitStatus;
    }

    /** @return the last part of the worker's stderr (bounded) */
    public String stderrTail() {
        return stderrTail;
    }
}
