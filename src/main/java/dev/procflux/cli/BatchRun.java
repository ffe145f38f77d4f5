package dev.procflux.cli;

import dev.procflux.ProcessEngine;
import dev.procflux.internal.Subreaper;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * One {@code procflux run}: reads jobs ({@link JobSource}), runs them on a {@link ProcessEngine} with at most
 * {@code -j} at once ({@link JobExecutor}), and writes each job's output whole, as it finishes, or in input order
 * with {@code -k} ({@link OutputWriter}); {@link HaltControl} decides when it stops and with which status.
 *
 * <p>Threads: lines are read on a bounded-elastic worker; processes run on the engine; the calling thread consumes
 * the outcomes and is the only one writing job output and the joblog. {@link #interrupt()} and
 * {@link #stdoutClosed()} come from other threads.
 */
final class BatchRun {
    private final RunOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final Counters counters = new Counters();
    private final HaltControl halt;
    private final GnuJobs gnu;
    private final JobSource source;
    private final SpoolStore spools = new SpoolStore();

    BatchRun(RunOptions options, InputStream in, PrintStream out, PrintStream err, boolean terminal) {
        this.options = options;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.halt = new HaltControl(options.halt(), counters);
        this.gnu = new GnuJobs(options, in, counters, spools);
        this.source = new JobSource(options, in, gnu, counters);
    }

    /**
     * @return the exit status: 0, the number of failed jobs capped at 101, 130 when interrupted (after a signal the
     *         JVM exits with 128 + its number instead), 141 when stdout's reader went away, 255 on error
     */
    int execute() {
        long startNanos = System.nanoTime();
        try {
            source.open();
        }
        catch (JobSource.InputException e) {
            Diagnostics.print(err, "procflux run", e.getMessage());
            closeQuietly(source, m -> Diagnostics.print(err, "procflux run", m));
            return ExitCode.RUN_ERROR;
        }
        if (options.dryRun()) {
            try {
                return source.dryRun(out, err);
            }
            finally {
                closeQuietly(source, m -> Diagnostics.print(err, "procflux run", m));
            }
        }
        @Nullable JobLog joblog = null;
        if (options.joblog().isPresent()) {
            try {
                joblog = gnu.joblog(options.joblog().get());
            }
            catch (IOException e) {
                Diagnostics.print(err, "procflux run", "cannot write joblog " + options.joblog().get() + ": "
                        + JobSource.reason(e));
                closeQuietly(source, m -> Diagnostics.print(err, "procflux run", m));
                return ExitCode.RUN_ERROR;
            }
        }
        @Nullable InputOrder order = options.keepOrder() ? new InputOrder() : null;
        OutputWriter output = new OutputWriter(options, gnu, halt, out, err, joblog, order);
        int concurrency = concurrency();
        ProcessEngine engine = ProcessEngine.builder().maxConcurrency(concurrency).build();
        halt.attach(engine);
        Disposable progress = terminal || options.parallel().progress ? output.startProgress(counters, startNanos)
                : () -> { };
        Disposable counting = source.countBeside();
        JobExecutor executor = new JobExecutor(options, gnu, counters, halt, output::writeLive, spools);
        try {
            consume(executor.run(source.jobs(halt.stopStarting()), engine, concurrency, order), output, concurrency);
            output.writeRest();
        }
        catch (JobSource.InputException | UncheckedIOException e) {
            output.message(e.getMessage());
            halt.failed();
        }
        finally {
            progress.dispose();
            counting.dispose();
            // waits until every process tree the run started is gone, so nothing outlives procflux
            engine.close();
            if (halt.killing()) {
                // what a killed job started and lost track of (its parent died first) was re-parented to this JVM
                Subreaper.killAdopted(engine.options().killGracePeriod());
            }
            closeQuietly(source, output::message);
            if (joblog != null) {
                closeQuietly(joblog, output::message);
            }
            // every job has ended: whatever output is left (the run failed before writing it) goes with it
            closeQuietly(spools, output::message);
        }
        counters.unfinishedKilled();
        output.haltMessage();
        if (!halt.endsQuietly()) {
            String summary = counters.summary(System.nanoTime() - startNanos);
            output.end(halt.isInterrupted() ? "interrupted; " + summary : options.summary(terminal) ? summary : null);
        }
        return halt.exitStatus();
    }

    /**
     * Ctrl-C: start nothing more, kill every running job tree and make {@link #execute()} return 130 once the
     * trees are gone and the killed jobs are logged. Safe from any thread, idempotent.
     */
    void interrupt() {
        halt.interrupt();
    }

    /**
     * The reader of stdout is gone: start nothing more, kill the running jobs and make {@link #execute()} return
     * 141, the status of a program killed by SIGPIPE. Safe from any thread, idempotent.
     */
    void stdoutClosed() {
        halt.stdoutClosed();
    }

    private int concurrency() {
        // 0 means "unlimited": as many as the engine lets wait for a slot, so nothing is ever refused
        return options.jobs() == 0 ? ProcessEngine.builder().buildOptions().maxPendingAcquire() : options.jobs();
    }

    private static void consume(Flux<JobExecutor.Ended> ended, OutputWriter output, int concurrency) {
        try (Stream<JobExecutor.Ended> stream = ended.toStream(Math.max(8, Math.min(256, concurrency)))) {
            stream.forEach(output::write);
        }
    }

    private static void closeQuietly(Closeable c, Consumer<String> messages) {
        try {
            c.close();
        }
        catch (IOException e) {
            messages.accept(String.valueOf(e.getMessage()));
        }
    }
}
