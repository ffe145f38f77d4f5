package dev.procflux;

import org.jspecify.annotations.Nullable;

/** The process could not be started; nothing ran. {@link #reason()} says why. */
public class ProcessStartException extends ProcessException {
    private static final long serialVersionUID = 1L;

    /** Why a start failed. */
    public enum Reason {
        /** The argv is empty. */
        EMPTY_COMMAND,
        /**
         * An argument or environment entry holds a NUL byte, which the operating system cannot pass; or an executable
         * named with {@code =} is given bytes that are not UTF-8 (see {@link Command}).
         */
        INVALID_ARGUMENT,
        /** The executable was not found (as a path, or on {@code PATH}). */
        EXECUTABLE_NOT_FOUND,
        /** The executable exists but is a directory or lacks execute permission. */
        NOT_EXECUTABLE,
        /** The working directory does not exist. */
        DIRECTORY_NOT_FOUND,
        /** The working directory is not a directory. */
        NOT_A_DIRECTORY,
        /** The operating system refused to create the process (limits on processes, file descriptors, memory). */
        LAUNCH_FAILED
    }

    /** Why the start failed. */
    private final Reason reason;
    /** The command that failed to start. */
    private final String commandLine;

    /**
     * @param reason why the start failed
     * @param commandLine the command, as {@link Command#commandLine()}
     * @param message the full message
     * @param cause the underlying error, if any
     */
    public ProcessStartException(Reason reason, String commandLine, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.commandLine = commandLine;
    }

    /** @return why the start failed */
    public Reason reason() {
        return reason;
    }

    /** @return the command that failed to start */
    public String commandLine() {
        return commandLine;
    }
}
