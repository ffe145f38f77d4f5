package dev.procflux.cli;

import dev.procflux.Command;
import dev.procflux.ExitStatus;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessException;
import dev.procflux.ProcessExitException;
import dev.procflux.ProcessPoolClosedException;
import dev.procflux.ProcessStartException;
import dev.procflux.ProcessTimeoutException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs the jobs of one {@code procflux run} on a {@link ProcessEngine}, at most {@code -j} at once: each job's
 * attempts ({@code --retries}), its timeout, and how it ended ({@link JobOutcome}), with its output spooled as it
 * arrives or, under {@code --line-buffer} and {@code -u}, written as it arrives.
 *
 * <p>Threads: jobs start and end on the engine's threads; the state it touches ({@link Counters},
 * {@link HaltControl}, {@link GnuJobs}' pacing) is thread-safe.
 */
final class JobExecutor {
    private final RunOptions options;
    private final GnuJobs gnu;
    private final Counters counters;
    private final HaltControl halt;
    private final GnuJobs.LiveWriter live;
    private final SpoolStore spools;

    JobExecutor(RunOptions options, GnuJobs gnu, Counters counters, HaltControl halt, GnuJobs.LiveWriter live,
            SpoolStore spools) {
        this.options = options;
        this.gnu = gnu;
        this.counters = counters;
        this.halt = halt;
        this.live = live;
        this.spools = spools;
    }

    /**
     * A job that ended.
     *
     * @param position where it was in the input, from 0
     * @param outcome how it ended, or null when it never started (the run halted first)
     */
    record Ended(long position, @Nullable JobOutcome outcome) {
    }

    /**
     * @param order with {@code -k}: admits each job, so that no job starts too far ahead of the oldest unwritten one
     * @return every job as it ends, whatever the order: with {@code -k}, {@link InputOrder} restores input order
     */
    Flux<Ended> run(Flux<Job> jobs, ProcessEngine engine, int concurrency, @Nullable InputOrder order) {
        return jobs.index().flatMap(job -> {
            long position = job.getT1();
            Mono<JobOutcome> run = run(job.getT2(), engine);
            return (order == null ? run : order.admit(position).then(run))
                    .map(o -> new Ended(position, o))
                    .defaultIfEmpty(new Ended(position, null));
        }, concurrency, 1);
    }

    private Mono<JobOutcome> run(Job queued, ProcessEngine engine) {
        return gnu.inSlot(queued, job -> gnu.awaitTurn().then(Mono.defer(() -> {
            if (halt.isHalted()) {
                return Mono.empty();
            }
            counters.jobStarted();
            Optional<Command> command = job.command();
            if (command.isEmpty()) {
                return Mono.just(JobOutcome.withoutOutput(job, JobOutcome.Status.INVALID, ExitCode.JOB_SYNTAX_ERROR,
                        0, System.currentTimeMillis(), 0, 0, job.problem().orElse("invalid job")));
            }
            Command c = gnu.timeout().map(command.get()::withTimeout).orElse(command.get());
            // empty: the engine closed (halt now, Ctrl-C) before launching it, so it never started after all
            return attempt(job, c, engine, 1).switchIfEmpty(Mono.fromRunnable(counters::jobNotStarted));
        })
                // here rather than on the output thread, so that flatMap cannot start another job between this
                // failure and the halt decision
                .doOnNext(this::ended)));
    }

    private void ended(JobOutcome o) {
        gnu.finished(o);
        counters.jobFinished(o);
        halt.jobEnded(o);
    }

    /** @return the outcome of the last attempt that ran, or empty if the first attempt never started */
    private Mono<JobOutcome> attempt(Job job, Command command, ProcessEngine engine, int attempt) {
        return Mono.defer(() -> {
            long startMillis = System.currentTimeMillis();
            long startNanos = System.nanoTime();
            if (options.parallel().outputMode != ParallelOptions.OutputMode.GROUP) {
                // --line-buffer, -u: written while the job runs, nothing is held
                return gnu.execute(engine, job, command, live)
                        .map(r -> outcome(job, r.exitStatus(), Spool.EMPTY, Spool.EMPTY, startMillis,
                                System.nanoTime() - startNanos, attempt))
                        .onErrorResume(ProcessException.class, e -> neverStarted(e) ? Mono.empty()
                                : Mono.just(outcome(job, e, Spool.EMPTY, Spool.EMPTY, startMillis,
                                        System.nanoTime() - startNanos, attempt)));
            }
            // spooled as it arrives (not collected by the engine), so that the heap stays bounded whatever the job
            // writes, and a killed job's output up to its death is still there to print
            Spool stdout = spools.newSpool();
            Spool stderr = spools.newSpool();
            AtomicReference<ExitStatus> exit = new AtomicReference<>(ExitStatus.exited(0));
            return engine.stream(command)
                    .doOnNext(o -> {
                        if (o.isStdout()) {
                            stdout.append(o.bytes());
                        }
                        else if (o.isStderr()) {
                            stderr.append(o.bytes());
                        }
                        else if (o.isExit()) {
                            exit.set(o.exitStatus());
                        }
                    })
                    .then(Mono.fromCallable(() -> outcome(job, exit.get(), stdout, stderr, startMillis,
                            System.nanoTime() - startNanos, attempt)))
                    .onErrorResume(ProcessExitException.class, e -> Mono.just(outcome(job, e.exitStatus(), stdout,
                            stderr, startMillis, System.nanoTime() - startNanos, attempt)))
                    .onErrorResume(ProcessException.class, e -> {
                        if (neverStarted(e)) {
                            stdout.delete();
                            stderr.delete();
                            return Mono.empty();
                        }
                        return Mono.just(outcome(job, e, stdout, stderr, startMillis, System.nanoTime() - startNanos,
                                attempt));
                    });
        }).flatMap(o -> o.isFailure() && attempt <= options.retries() && !halt.isHalted()
                // a retry the closing engine refused leaves the failure that asked for it as the outcome
                ? gnu.retryDelay(attempt).then(attempt(job, command, engine, attempt + 1))
                        .map(retried -> {
                            // only the last attempt's output is written
                            o.stdout().delete();
                            o.stderr().delete();
                            return retried;
                        })
                        .defaultIfEmpty(o)
                : Mono.just(o));
    }

    /** Only our own close refuses a job (halt now, Ctrl-C); with no exit status its command never ran. */
    private static boolean neverStarted(ProcessException e) {
        return e instanceof ProcessPoolClosedException closed && closed.exitStatus().isEmpty();
    }

    private static JobOutcome outcome(Job job, ExitStatus status, Spool stdout, Spool stderr, long startMillis,
            long runtimeNanos, int attempt) {
        // the job has ended: a spool that waits to be written (-k) holds no file descriptor
        stdout.seal();
        stderr.seal();
        int signal = status.signal().orElse(0);
        String message = status.isSuccess() ? null : status.isSignaled() ? "job " + job.number() + " ("
                + job.commandLine() + ") died by " + status : null;
        return new JobOutcome(job, status.isSuccess() ? JobOutcome.Status.SUCCEEDED : JobOutcome.Status.FAILED,
                status.isSignaled() ? -1 : status.code(), signal, stdout, stderr, startMillis, runtimeNanos,
                attempt, message);
    }

    private static JobOutcome outcome(Job job, ProcessException e, Spool stdout, Spool stderr, long startMillis,
            long runtimeNanos, int attempt) {
        String message = "job " + job.number() + ": " + e.getMessage();
        stdout.seal();
        stderr.seal();
        if (e instanceof ProcessTimeoutException timeout) {
            return JobOutcome.killed(job, JobOutcome.Status.TIMED_OUT, timeout.exitStatus().orElse(null),
                    stdout, stderr, startMillis, runtimeNanos, attempt, message);
        }
        if (e instanceof ProcessPoolClosedException closed) {
            // no message: the halt message or the interrupted summary already says that running jobs were killed
            return JobOutcome.killed(job, JobOutcome.Status.KILLED, closed.exitStatus().orElse(null), stdout,
                    stderr, startMillis, runtimeNanos, attempt, null);
        }
        stdout.delete();
        stderr.delete();
        int exitValue = -1;
        if (e instanceof ProcessStartException start) {
            // what sh reports for the same failures, so scripts checking the joblog see familiar values
            exitValue = start.reason() == ProcessStartException.Reason.EXECUTABLE_NOT_FOUND ? ExitCode.JOB_NOT_FOUND
                    : start.reason() == ProcessStartException.Reason.NOT_EXECUTABLE ? ExitCode.JOB_NOT_EXECUTABLE
                    : -1;
        }
        return JobOutcome.withoutOutput(job, JobOutcome.Status.ERROR, exitValue, 0, startMillis, runtimeNanos,
                attempt, message);
    }
}
