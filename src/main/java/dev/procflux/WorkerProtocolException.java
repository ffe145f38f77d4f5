package dev.procflux;

import org.jspecify.annotations.Nullable;

/**
 * A worker of a {@link WorkerPool} wrote something its {@link WorkerProtocol} cannot accept: a malformed frame, a
 * reply nobody asked for, or a reply to another request. The worker's state is unknown, so it is replaced.
 */
public class WorkerProtocolException extends ProcessException {
    private static final long serialVersionUID = 1L;

    /** The command, as {@link Command#commandLine()}. */
    private final String commandLine;
    /** The worker's process id. */
    private final long pid;
    /** What was wrong with the worker's output. */
    private final String problem;

    /**
     * @param commandLine the worker command, as {@link Command#commandLine()}
     * @param pid the worker's process id
     * @param problem what was wrong with the worker's output
     * @param cause the underlying error, if any
     */
    public WorkerProtocolException(String commandLine, long pid, String problem, @Nullable Throwable cause) {
        super("worker '" + commandLine + "' (pid " + pid + ") broke the protocol: " + problem
                + "; worker replaced", cause);
        this.commandLine = commandLine;
        this.pid = pid;
        this.problem = problem;
    }

    /** @return the worker command */
    public String commandLine() {
        return commandLine;
    }

    /** @return the worker's process id */
    public long pid() {
        return pid;
    }

    /** @return what was wrong with the worker's output */
    public String problem() {
        return problem;
    }
}
