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

    private ProcessResult(Builder b) {
        this.command = b.command;
        this.pid = b.pid;
        this.exitStatus = b.exitStatus;
        this.stdout = b.stdout;
        this.stderr = b.stderr;
        this.stdoutTruncated = b.stdoutTruncated;
        this.stderrTruncated = b.stderrTruncated;
        this.duration = b.duration;
    }

    /**
     * A builder for engine implementations and test doubles; adding a figure later never breaks a caller.
     *
     * @param command the command that ran
     * @param exitStatus how it ended
     * @return a builder with pid 0, empty output, nothing truncated and a zero duration
     * @throws NullPointerException if an argument is null
     */
    public static Builder builder(Command command, ExitStatus exitStatus) {
        return new Builder(Objects.requireNonNull(command, "command"), Objects.requireNonNull(exitStatus,
                "exitStatus"));
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

    /** Sets the parts of a {@link ProcessResult}. Not thread-safe. */
    public static final class Builder {
        private final Command command;
        private final ExitStatus exitStatus;
        private long pid;
        private byte[] stdout = new byte[0];
        private byte[] stderr = new byte[0];
        private boolean stdoutTruncated;
        private boolean stderrTruncated;
        private Duration duration = Duration.ZERO;

        private Builder(Command command, ExitStatus exitStatus) {
            this.command = command;
            this.exitStatus = exitStatus;
        }

        /**
         * @param value the operating-system process id
         * @return this builder
         */
        public Builder pid(long value) {
            this.pid = value;
            return this;
        }

        /**
         * @param value what the process wrote to stdout; taken as it is, not copied
         * @return this builder
         */
        public Builder stdout(byte[] value) {
            this.stdout = Objects.requireNonNull(value, "stdout");
            return this;
        }

        /**
         * @param value what the process wrote to stderr; taken as it is, not copied
         * @return this builder
         */
        public Builder stderr(byte[] value) {
            this.stderr = Objects.requireNonNull(value, "stderr");
            return this;
        }

        /**
         * @param value whether stdout was cut at {@link Command#maxOutputBytes()}
         * @return this builder
         */
        public Builder stdoutTruncated(boolean value) {
            this.stdoutTruncated = value;
            return this;
        }

        /**
         * @param value whether stderr was cut at {@link Command#maxOutputBytes()}
         * @return this builder
         */
        public Builder stderrTruncated(boolean value) {
            this.stderrTruncated = value;
            return this;
        }

        /**
         * @param value from start to the exit being observed
         * @return this builder
         */
        public Builder duration(Duration value) {
            this.duration = Objects.requireNonNull(value, "duration");
            return this;
        }

        /** @return the result */
        public ProcessResult build() {
            return new ProcessResult(this);
        }
    }
}
