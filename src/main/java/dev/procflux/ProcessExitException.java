package dev.procflux;

/**
 * The process ended with a non-zero status where success was required ({@link ProcessEngine#lines(Command)}).
 * The message includes the exit status and the tail of stderr.
 */
public class ProcessExitException extends ProcessException {
    private static final long serialVersionUID = 1L;

    /** How the process ended. */
    private final ExitStatus exitStatus;
    /** The last part of stderr. */
    private final String stderrTail;
    /** The command that failed. */
    private final String commandLine;

    /**
     * @param commandLine the command, as {@link Command#commandLine()}
     * @param exitStatus how it ended
     * @param stderrTail the last part of what it wrote to stderr
     */
    public ProcessExitException(String commandLine, ExitStatus exitStatus, String stderrTail) {
        super("'" + commandLine + "' failed with " + exitStatus
                + (stderrTail.isEmpty() ? "" : "; stderr ends with: " + stderrTail.strip()), null);
        this.exitStatus = exitStatus;
        this.stderrTail = stderrTail;
        this.commandLine = commandLine;
    }

    /** @return how the process ended */
    public ExitStatus exitStatus() {
        return exitStatus;
    }

    /** @return the exit code ({@code 128 + signal} for a signal death) */
    public int exitCode() {
        return exitStatus.code();
    }

    /** @return the last part of stderr (bounded) */
    public String stderrTail() {
        return stderrTail;
    }

    /** @return the command that failed */
    public String commandLine() {
        return commandLine;
    }
}
