package dev.procflux.cli;

import dev.procflux.Command;
import dev.procflux.ExitStatus;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessOutput;
import dev.procflux.ProcessResult;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * What {@code procflux run} takes from GNU parallel, kept out of the core of {@link BatchRun}: where jobs come from
 * (argument sources, {@code --pipe}), which of them this run takes ({@code --shard}, {@code --resume}), when each
 * starts ({@code {%}} slots, {@code --delay}, {@code --memfree}, {@code --load}), its timeout
 * ({@code --timeout P%}), retry spacing, how output is delivered ({@code --line-buffer}, {@code -u}) and where it
 * goes ({@code --results}, {@code --files}).
 *
 * <p>Threads: {@link #open()}, {@link #jobs()} and {@link #selected(Job)} run on the input thread;
 * {@link #inSlot}, {@link #awaitTurn()}, {@link #timeout()}, {@link #execute} and {@link #finished} on engine
 * threads (their state is thread-safe); {@link #keepAside} on the output thread.
 */
final class GnuJobs implements Closeable {
    private final RunOptions options;
    private final ParallelOptions parallel;
    private final InputStream in;
    private final JobSlots slots = new JobSlots();
    private final StartGate gate;
    private final @Nullable MedianTimeout medianTimeout;
    // the Seq numbers of a --resume joblog that are not to run again; written by open() before any job is read
    private final Set<Long> done = new HashSet<>();
    // set by open() on the calling thread before the input thread starts; read by the input and output threads
    private volatile @Nullable Iterator<Job> source;
    private volatile @Nullable Closeable sourceResource;
    private volatile Map<String, Integer> header = Map.of();
    private final @Nullable KeptOrder keptOrder;
    // the order number of each running job under --line-buffer -k; written when it starts, removed when it ends
    private final Map<Long, Long> orderOf = new ConcurrentHashMap<>();
    private final SpoolStore spools;

    GnuJobs(RunOptions options, InputStream in, Counters counters, SpoolStore spools) {
        this.options = options;
        this.parallel = options.parallel();
        this.in = in;
        this.spools = spools;
        this.gate = new StartGate(parallel.delay, parallel.memfreeBytes, parallel.maxLoad, Schedulers.parallel());
        this.medianTimeout = parallel.timeoutPercent > 0 ? new MedianTimeout(parallel.timeoutPercent) : null;
        this.keptOrder = options.keepOrder() && parallel.outputMode == ParallelOptions.OutputMode.LINE
                ? new KeptOrder(spools) : null;
    }

    /** @return whether jobs come from here rather than one per line of stdin or {@code -f} */
    boolean reads() {
        return parallel.pipe || options.arguments().explicit();
    }

    /**
     * Opens the argument files and reads a {@code --resume} joblog.
     *
     * @throws JobSource.InputException when an argument file cannot be opened, saying which and why
     */
    void open() throws IOException {
        if (parallel.resume || parallel.resumeFailed) {
            Path log = options.joblog().orElseThrow();
            if (Files.isRegularFile(log)) {
                done.addAll(JobLogs.finished(log, parallel.resumeFailed));
            }
        }
        if (parallel.pipe) {
            Template template = options.template().orElseThrow();
            source = new PipeJobs(new PipeBlocks(in, (int) parallel.blockBytes, parallel.recend), template,
                    options.shell());
        }
        else if (reads()) {
            Arguments arguments;
            try {
                arguments = new Arguments(options.arguments(), in, options.file().orElse(null),
                        Math.max(1, options.jobs()));
            }
            catch (FileSystemException e) {
                // an argument file (::::, -a) that does not open: the exception names it, raw bytes as \xNN
                throw new JobSource.InputException("cannot read jobs from " + e.getFile() + ": "
                        + JobSource.reason(e), e);
            }
            header = arguments.header();
            sourceResource = arguments;
            source = new ArgumentJobs(arguments, options.template().orElse(null),
                    parallel.tagTemplate().orElse(null), options.shell());
        }
    }

    /** @return the jobs this run takes, read lazily as requested; only when {@link #reads()} */
    Flux<Job> jobs() {
        Iterator<Job> jobs = Objects.requireNonNull(source);
        return Flux.fromIterable(() -> jobs).filter(this::selected);
    }

    /** @return whether this run takes {@code job}: it is in this run's {@code --shard} and not done already */
    boolean selected(Job job) {
        Shard shard = parallel.shard;
        return (shard == null || shard.contains(job.number())) && !done.contains(job.number());
    }

    /** {@code --dry-run} for the jobs read here: each command as it would run, in slot 1. */
    int dryRun(PrintStream out, PrintStream err) {
        long invalid = 0;
        try {
            for (Job job : (Iterable<Job>) this::jobsForDryRun) {
                if (job.problem().isPresent()) {
                    invalid++;
                    Diagnostics.print(err, "procflux run", job.problem().get());
                }
                else {
                    JobSource.printLine(out, job.atSlot(1).commandLine());
                }
            }
        }
        catch (UncheckedIOException e) {
            // the message names the source and the reason (RecordReader, PipeBlocks)
            Diagnostics.print(err, "procflux run", e.getMessage());
            return ExitCode.RUN_ERROR;
        }
        out.flush();
        return ExitCode.failedJobs(invalid);
    }

    private Iterator<Job> jobsForDryRun() {
        Iterator<Job> all = Objects.requireNonNull(source);
        return new Iterator<>() {
            private @Nullable Job next;

            @Override
            public boolean hasNext() {
                while (next == null && all.hasNext()) {
                    Job j = all.next();
                    if (selected(j)) {
                        next = j;
                    }
                }
                return next != null;
            }

            @Override
            public Job next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                Job j = next;
                next = null;
                return j;
            }
        };
    }

    /** @return the joblog, appended to under {@code --resume} and {@code --resume-failed} */
    JobLog joblog(Path path) throws IOException {
        return new JobLog(path, parallel.resume || parallel.resumeFailed);
    }

    /** Runs {@code body} with the job as it is in the slot it takes ({@code {%}}), giving the slot back after. */
    Mono<JobOutcome> inSlot(Job job, Function<Job, Mono<JobOutcome>> body) {
        KeptOrder order = keptOrder;
        if (order != null) {
            return Mono.using(() -> {
                long o = order.start();
                orderOf.put(job.number(), o);
                return o;
            }, o -> slotted(job, body), o -> {
                orderOf.remove(job.number());
                order.end(o);
            });
        }
        return slotted(job, body);
    }

    private Mono<JobOutcome> slotted(Job job, Function<Job, Mono<JobOutcome>> body) {
        if (!job.needsSlot()) {
            return body.apply(job);
        }
        return Mono.using(slots::take, slot -> body.apply(job.atSlot(slot)), slots::release);
    }

    Mono<Void> awaitTurn() {
        return gate.awaitTurn();
    }

    /** @return the timeout for a job starting now: {@code --timeout T}, or P% of the median so far */
    Optional<Duration> timeout() {
        return medianTimeout != null ? medianTimeout.current() : options.timeout();
    }

    /** The pause before retry number {@code attempt} (from 1): {@code --retry-delay}, doubled for each retry. */
    Mono<Void> retryDelay(int attempt) {
        Duration d = parallel.retryDelay;
        if (d == null) {
            return Mono.empty();
        }
        return Mono.delay(d.multipliedBy(1L << Math.min(attempt - 1, 20)), Schedulers.parallel()).then();
    }

    /**
     * Runs {@code command}: to completion with its output kept ({@code execute}), or, with {@code --line-buffer}
     * and {@code -u}, writing its output through {@code live} as it comes, the result then holding none.
     */
    Mono<ProcessResult> execute(ProcessEngine engine, Job job, Command command, LiveWriter live) {
        if (parallel.outputMode == ParallelOptions.OutputMode.GROUP) {
            return engine.execute(command);
        }
        return Mono.defer(() -> {
            long start = System.nanoTime();
            KeptOrder order = keptOrder;
            Long position = orderOf.get(job.number());
            LiveOutput output = new LiveOutput(parallel.outputMode == ParallelOptions.OutputMode.LINE, spools,
                    order == null || position == null ? (stdout, content) -> live.write(job, stdout, content)
                            : (stdout, content) -> order.write(position, stdout, content,
                                    (out, c) -> live.write(job, out, c)));
            AtomicReference<@Nullable ExitStatus> exit = new AtomicReference<>();
            return engine.stream(command)
                    .doOnNext(o -> {
                        if (o.isExit()) {
                            exit.set(o.exitStatus());
                        }
                        else {
                            output.chunk(o.isStdout(), o.bytes());
                        }
                    })
                    // before the end is passed on, so that a -k successor never overtakes the last line
                    .doOnTerminate(output::end)
                    .doOnCancel(output::end)
                    .then(Mono.fromSupplier(() -> ProcessResult.builder(command, Objects.requireNonNull(exit.get()))
                            .duration(Duration.ofNanos(System.nanoTime() - start)).build()));
        });
    }

    /** Writes bytes of a running job's output. */
    interface LiveWriter {
        void write(Job job, boolean stdout, ChunkSource content);
    }

    /** Records a finished job: its runtime for {@code --timeout P%}; drops its {@code --pipe} block. */
    void finished(JobOutcome o) {
        if (medianTimeout != null && o.isSuccess()) {
            medianTimeout.succeeded(o.runtimeNanos());
        }
        PipeJobs.Block.release(o.job());
    }

    /**
     * {@code --results} and {@code --files}: puts the job's stdout aside in files instead of writing it.
     *
     * @return whether stdout was put aside
     */
    boolean keepAside(JobOutcome o, PrintStream out) {
        String results = parallel.results;
        if (results != null) {
            ResultFiles.write(results, o.job(), header, o.stdout(), o.stderr());
            return true;
        }
        if (parallel.files) {
            Path file = ResultFiles.temporary(o.stdout());
            byte[] line = (file + "\n").getBytes(StandardCharsets.UTF_8);
            out.write(line, 0, line.length);
            return true;
        }
        return false;
    }

    /** @return whether stderr goes to {@code --results} files rather than to stderr */
    boolean keepsStderrAside() {
        return parallel.results != null;
    }

    @Override
    public void close() throws IOException {
        Closeable c = sourceResource;
        if (c != null) {
            c.close();
        }
    }
}
