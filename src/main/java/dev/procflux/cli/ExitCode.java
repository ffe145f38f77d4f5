package dev.procflux.cli;

/**
 * Every exit status the command line returns, and the exit values the joblog gives jobs that never ran a program:
 * the one place these numbers are written. Statuses at and above 128 follow the shell's rule for a process a
 * signal killed: 128 + the signal's number.
 */
final class ExitCode {
    /** Every job succeeded (or the subcommand did what was asked). */
    static final int SUCCESS = 0;
    /** {@code serve} cannot listen on its address. */
    static final int CANNOT_LISTEN = 1;
    /** A usage error outside {@code run}. */
    static final int USAGE = 2;
    /** The highest failed-job count {@code run} reports, as in GNU parallel; more failures still exit with it. */
    static final int MOST_FAILED_JOBS = 101;
    /** Ctrl-C: 128 + SIGINT. */
    static final int INTERRUPTED = 130;
    /** Stdout's reader went away: 128 + SIGPIPE, as for a program SIGPIPE killed. */
    static final int STDOUT_CLOSED = 141;
    /** A bad option or unreadable input of {@code run}: above every failed-job count. */
    static final int RUN_ERROR = 255;

    /** The joblog's Exitval of a line that is no command: what {@code sh} reports for a syntax error. */
    static final int JOB_SYNTAX_ERROR = 2;
    /** The joblog's Exitval of a command that is not executable, as in {@code sh}. */
    static final int JOB_NOT_EXECUTABLE = 126;
    /** The joblog's Exitval of a command that was not found, as in {@code sh}. */
    static final int JOB_NOT_FOUND = 127;

    private ExitCode() {
    }

    /** @return the exit status of a run in which {@code failed} jobs failed: their number, capped */
    static int failedJobs(long failed) {
        return (int) Math.min(failed, MOST_FAILED_JOBS);
    }
}
