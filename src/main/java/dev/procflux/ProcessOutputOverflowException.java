package dev.procflux;

/** A process wrote more than a configured limit; its tree has been killed. */
public class ProcessOutputOverflowException extends ProcessException {
    private static final long serialVersionUID = 1L;

    /** The limit that was exceeded. */
    private final long limitBytes;
    /** The command whose output overflowed. */
    private final String commandLine;

    /**
     * @param commandLine the command, as {@link Command#commandLine()}
     * @param limitBytes the limit that was exceeded
     * @param message the full message
     */
    public ProcessOutputOverflowException(String commandLine, long limitBytes, String message) {
        super(message, null);
        this.limitBytes = limitBytes;
        this.commandLine = commandLine;
    }

    /** @return the limit that was exceeded, in bytes (characters for a line limit) */
    public long limitBytes() {
        return limitBytes;
    }

    /** @return the command whose output overflowed */
    public String commandLine() {
        return commandLine;
    }
}
