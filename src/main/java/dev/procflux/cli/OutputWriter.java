package dev.procflux.cli;

import dev.procflux.internal.SurrogateEscape;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Everything one {@code procflux run} writes: each job's output whole, as it ends (grouped), with its lines tagged
 * under {@code --tag}; running jobs' output under {@code --line-buffer} and {@code -u}; the joblog, the halt message,
 * the progress bar and the summary.
 *
 * <p>Threads: job outcomes are written by the output thread (the one running the batch); live output comes from
 * engine delivery threads, the progress bar from a timer and messages from any thread, so every write to
 * {@code out}/{@code err} holds {@link #lock}.
 */
final class OutputWriter {
    private final RunOptions options;
    private final GnuJobs gnu;
    private final HaltControl halt;
    private final PrintStream out;
    private final PrintStream err;
    private final @Nullable JobLog joblog;
    // -k: the order jobs are written in; null without -k
    private final @Nullable InputOrder order;
    private final Object lock = new Object();
    // guarded by lock
    private @Nullable StatusLine statusLine;

    OutputWriter(RunOptions options, GnuJobs gnu, HaltControl halt, PrintStream out, PrintStream err,
            @Nullable JobLog joblog, @Nullable InputOrder order) {
        this.options = options;
        this.gnu = gnu;
        this.halt = halt;
        this.out = out;
        this.err = err;
        this.joblog = joblog;
        this.order = order;
    }

    /** Draws the progress bar on stderr every 200 ms until disposed. */
    Disposable startProgress(Counters counters, long startNanos) {
        synchronized (lock) {
            statusLine = new StatusLine(err, startNanos);
        }
        return Flux.interval(Duration.ofMillis(200), Duration.ofMillis(200), Schedulers.parallel())
                .subscribe(tick -> {
                    synchronized (lock) {
                        if (statusLine != null) {
                            statusLine.draw(counters, System.nanoTime());
                        }
                    }
                });
    }

    /** Writes an ended job now, or with {@code -k} once every job before it is written. */
    void write(JobExecutor.Ended ended) {
        InputOrder o = order;
        if (o == null) {
            if (ended.outcome() != null) {
                write(ended.outcome());
            }
            return;
        }
        o.ended(ended.position(), ended.outcome()).forEach(this::write);
    }

    /** After the last job ended: writes what still waits for its turn (nothing, unless a job went missing). */
    void writeRest() {
        InputOrder o = order;
        if (o != null) {
            o.rest().forEach(this::write);
        }
    }

    /** Writes one ended job: its output (or where {@code --results}/{@code --files} put it), message and joblog line. */
    private void write(JobOutcome o) {
        synchronized (lock) {
            clearStatus();
            if (!gnu.keepAside(o, out) && !halt.isStdoutClosed()) {
                write(out, o.stdout(), o);
            }
            if (!gnu.keepsStderrAside()) {
                write(err, o.stderr(), o);
            }
            o.stdout().delete();
            o.stderr().delete();
            o.message().ifPresent(m -> Diagnostics.print(err, "procflux run", m));
            out.flush();
            err.flush();
        }
        if (out.checkError()) {
            halt.stdoutClosed();
        }
        if (joblog != null) {
            joblog.write(o);
        }
        if (halt.isTrigger(o)) {
            haltMessage();
        }
    }

    /** Says that the run halts ({@code --halt}), once, if it does and that was not said yet. */
    void haltMessage() {
        halt.haltMessage().ifPresent(this::message);
    }

    /** Writes {@code procflux run: MESSAGE} on stderr. Safe from any thread. */
    void message(String message) {
        synchronized (lock) {
            clearStatus();
            Diagnostics.print(err, "procflux run", message);
            err.flush();
        }
    }

    /** Clears the progress bar and writes the last line: the summary, or nothing. */
    void end(@Nullable String summary) {
        synchronized (lock) {
            clearStatus();
            if (summary != null) {
                Diagnostics.print(err, "procflux run", summary);
            }
            out.flush();
            err.flush();
        }
    }

    /** Output of a running job ({@code --line-buffer}, {@code -u}), from its delivery thread. */
    void writeLive(Job job, boolean stdout, ChunkSource content) {
        synchronized (lock) {
            clearStatus();
            PrintStream stream = stdout ? out : err;
            try {
                content.writeTo(new Tagger(stream, job)::write);
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot read back the held output of job " + job.number() + ": "
                        + e.getMessage(), e);
            }
            stream.flush();
        }
    }

    // guarded by lock
    private void clearStatus() {
        if (statusLine != null) {
            statusLine.clear();
        }
    }

    private void write(PrintStream stream, Spool spool, JobOutcome o) {
        if (spool.size() == 0) {
            return;
        }
        try {
            spool.writeTo(new Tagger(stream, o.job())::write);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read back the spooled output of job " + o.job().number() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Writes one job's bytes, each line behind its tag under {@code --tag} or {@code --tagstring}. */
    private final class Tagger {
        private final PrintStream stream;
        private final byte @Nullable [] tag;
        // the bytes arrive in chunks: whether the next byte starts a line
        private boolean atLineStart = true;

        Tagger(PrintStream stream, Job job) {
            this.stream = stream;
            // as in GNU parallel, -u ignores --tag and --tagstring: ungrouped chunks need not start lines
            this.tag = (options.tag() || options.parallel().tagString != null)
                    && options.parallel().outputMode != ParallelOptions.OutputMode.UNGROUP
                    ? SurrogateEscape.encode(job.tag() + "\t") : null;
        }

        void write(byte[] bytes, int offset, int length) {
            byte[] t = tag;
            if (t == null) {
                stream.write(bytes, offset, length);
                return;
            }
            int lineStart = offset;
            for (int i = offset; i < offset + length; i++) {
                if (atLineStart) {
                    stream.write(t, 0, t.length);
                    atLineStart = false;
                }
                if (bytes[i] == '\n') {
                    stream.write(bytes, lineStart, i + 1 - lineStart);
                    lineStart = i + 1;
                    atLineStart = true;
                }
            }
            if (lineStart < offset + length) {
                stream.write(bytes, lineStart, offset + length - lineStart);
            }
        }
    }
}
