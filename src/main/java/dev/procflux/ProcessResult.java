package dev.procflux;

import java.nio.charset.Charset;
import java.time.Duration;
import java.util.Objects;

/**
 * The outcome of {@link ProcessEngine#execute(Command)}: how the process ended and what it wrote.
 *
 * <p>Immutable. Any exit code is a result, not an error: check {@link #exitStatus()} or {@link #isSuccess()}.
 */
public final class ProcessResult {
    private final Command command;
    private final long pid;
    private final ExitStatus exitStatus;
    private final byte[] stdout;
    private final byte[] stderr;
    private final boolean stdoutTruncated;
    private final boolean stderrTruncated;
    private final Duration duration;

    /**
     * Creates a result; the arrays are taken as they are, not copied.
     *
     * @param command the command that ran
     * @param pid its process id
     * @param exitStatus how it ended
     * @param stdout what it wrote to stdout
     * @param stderr what it wrote to stderr
     * @param stdoutTruncated whether stdout was cut at {@link Command#maxOutputBytes()}
     * @param stderrTruncated whether stderr was cut at {@link Command#maxOutputBytes()}
     * @param duration from start to the exit being observed
     */
    public ProcessResult(Command command, long pid, ExitStatus exitStatus, byte[] stdout, byte[] stderr,
            boolean stdoutTruncated, boolean stderrTruncated, Duration duration) {
        this.command = Objects.requireNonNull(command, "command");
        this.pid = pid;
        this.exitStatus = Objects.requireNonNull(exitStatus, "exitStatus");
        this.stdout = Objects.requireNonNull(stdout, "stdout");
        this.stderr = Objects.requireNonNull(stderr, "stderr");
        this.stdoutTruncated = stdoutTruncated;
        this.stderrTruncated = stderrTruncated;
        this.duration = Objects.requireNonNull(duration, "duration");
    }

    /** @return the command that ran */
    public Command command() {
        return command;
    }

    /** @return the operating-system process id */
    public long pid() {
        return pid;
    }

    /** @return how the process ended */
    public ExitStatus exitStatus() {
        return exitStatus;
    }

    /** @return the exit code; {@code 128 + signal} for a signal death (see {@link ExitStatus#code()}) */
    public int exitCode() {
        return exitStatus.code();
    }

    /** @return whether the process exited with status 0 */
    public boolean isSuccess() {
        return exitStatus.isSuccess();
    }

    /** @return a copy of the stdout bytes */
    public byte[] stdout() {
        return stdout.clone();
    }

    /** @return a copy of the stderr bytes */
    public byte[] stderr() {
        return stderr.clone();
    }

    /** @return the number of stdout bytes kept */
    public int stdoutSize() {
        return stdout.length;
    }

    /** @return stdout decoded with {@link Command#charset()} (malformed input replaced) */
    public String stdoutText() {
        return new String(stdout, command.charset());
    }

    /** @return stderr decoded with {@link Command#charset()} (malformed input replaced) */
    public String stderrText() {
        return new String(stderr, command.charset());
    }

    /**
     * Stdout decoded with another charset.
     *
     * @param charset the charset
     * @return the text
     */
    public String stdoutText(Charset charset) {
        return new String(stdout, Objects.requireNonNull(charset, "charset"));
    }

    /** @return whether stdout was cut at {@link Command#maxOutputBytes()} under {@link OutputLimitPolicy#TRUNCATE} */
    public boolean isStdoutTruncated() {
        return stdoutTruncated;
    }

    /** @return whether stderr was cut at {@link Command#maxOutputBytes()} under {@link OutputLimitPolicy#TRUNCATE} */
    public boolean isStderrTruncated() {
        return stderrTruncated;
    }

    /** @return the time from start to the exit being observed */
    public Duration duration() {
        return duration;
    }

    @Override
    public String toString() {
        return "ProcessResult[" + command.commandLine() + ", pid=" + pid + ", " + exitStatus + ", stdout="
                + stdout.length + " bytes" + (stdoutTruncated ? " (truncated)" : "") + ", stderr=" + stderr.length
                + " bytes" + (stderrTruncated ? " (truncated)" : "") + ", duration=" + duration.toMillis() + "ms]";
    }
}
