package dev.procflux.cli;

import dev.procflux.ExitStatus;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** How one job ended, with its output and timings. Immutable; the arrays are not copied. */
final class JobOutcome {
    /** The kinds of ending, each counted separately in the summary. */
    enum Status {
        /** Exited with status 0. */
        SUCCEEDED,
        /** Exited with a non-zero status or died by a signal. */
        FAILED,
        /** Killed by {@code --timeout}. */
        TIMED_OUT,
        /** Could not be started (executable missing, not executable, output over the limit...). */
        ERROR,
        /** The line could not be turned into a command; nothing ran. */
        INVALID,
        /** Killed by procflux itself: {@code --halt now}, Ctrl-C or SIGTERM. */
        KILLED
    }

    private final Job job;
    private final Status status;
    private final int exitValue;
    private final int signal;
    private final Spool stdout;
    private final Spool stderr;
    private final long startEpochMillis;
    private final long runtimeNanos;
    private final int attempts;
    private final @Nullable String message;

    JobOutcome(Job job, Status status, int exitValue, int signal, byte[] stdout, byte[] stderr,
            long startEpochMillis, long runtimeNanos, int attempts, @Nullable String message) {
        this(job, status, exitValue, signal, Spool.of(stdout), Spool.of(stderr), startEpochMillis, runtimeNanos,
                attempts, message);
    }

    JobOutcome(Job job, Status status, int exitValue, int signal, Spool stdout, Spool stderr,
            long startEpochMillis, long runtimeNanos, int attempts, @Nullable String message) {
        this.job = job;
        this.status = status;
        this.exitValue = exitValue;
        this.signal = signal;
        this.stdout = stdout;
        this.stderr = stderr;
        this.startEpochMillis = startEpochMillis;
        this.runtimeNanos = runtimeNanos;
        this.attempts = attempts;
        this.message = message;
    }

    /** An outcome without output: invalid lines and start failures. */
    static JobOutcome withoutOutput(Job job, Status status, int exitValue, int signal, long startEpochMillis,
            long runtimeNanos, int attempts, String message) {
        return new JobOutcome(job, status, exitValue, signal, Spool.EMPTY, Spool.EMPTY, startEpochMillis,
                runtimeNanos, attempts, message);
    }

    /**
     * A job procflux killed ({@code --timeout}, {@code --halt now}, Ctrl-C), without its output. The joblog columns
     * follow GNU parallel's reaper: Exitval -1 and the signal the job died of; a job that caught the signal and
     * exited non-zero keeps its own exit code (and Signal 0).
     *
     * @param died how the process ended, or null if that was not observed (then Exitval -1 and Signal 0)
     */
    static JobOutcome killed(Job job, Status status, @Nullable ExitStatus died, long startEpochMillis,
            long runtimeNanos, int attempts, @Nullable String message) {
        return killed(job, status, died, Spool.EMPTY, Spool.EMPTY, startEpochMillis, runtimeNanos, attempts,
                message);
    }

    /** As {@link #killed(Job, Status, ExitStatus, long, long, int, String)}, with what the job wrote until then. */
    static JobOutcome killed(Job job, Status status, @Nullable ExitStatus died, Spool stdout, Spool stderr,
            long startEpochMillis, long runtimeNanos, int attempts, @Nullable String message) {
        int exitValue = died != null && !died.isSignaled() && died.code() != 0 ? died.code() : -1;
        int signal = died == null ? 0 : died.signal().orElse(0);
        return new JobOutcome(job, status, exitValue, signal, stdout, stderr, startEpochMillis, runtimeNanos,
                attempts, message);
    }

    Job job() {
        return job;
    }

    Status status() {
        return status;
    }

    boolean isSuccess() {
        return status == Status.SUCCEEDED;
    }

    /** A failure that counts towards the exit status and {@code --halt} (procflux's own kills do not). */
    boolean isFailure() {
        return status != Status.SUCCEEDED && status != Status.KILLED;
    }

    /** @return the joblog's Exitval: the exit code, or -1 when the process did not exit by itself */
    int exitValue() {
        return exitValue;
    }

    /** @return the joblog's Signal: the signal that ended the process, or 0 */
    int signal() {
        return signal;
    }

    Spool stdout() {
        return stdout;
    }

    Spool stderr() {
        return stderr;
    }

    long startEpochMillis() {
        return startEpochMillis;
    }

    long runtimeNanos() {
        return runtimeNanos;
    }

    int attempts() {
        return attempts;
    }

    /** @return what procflux says about the ending on stderr, or empty when the job's own output says it all */
    Optional<String> message() {
        return Optional.ofNullable(message);
    }
}
