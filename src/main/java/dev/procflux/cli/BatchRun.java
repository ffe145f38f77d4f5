package dev.procflux.cli;

import dev.procflux.Command;
import dev.procflux.ExitStatus;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessException;
import dev.procflux.ProcessExitException;
import dev.procflux.ProcessPoolClosedException;
import dev.procflux.ProcessStartException;
import dev.procflux.ProcessTimeoutException;
import dev.procflux.internal.Subreaper;
import dev.procflux.internal.SurrogateEscape;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * One {@code procflux run}: reads job lines, runs them on a {@link ProcessEngine} with at most {@code -j} at once,
 * and writes each job's output whole, as it finishes (or in input order with {@code -k}).
 *
 * <p>Threads: lines are read on a bounded-elastic worker (reading stdin blocks); processes run on the engine; the
 * calling thread consumes the outcomes and is the only one writing job output and the joblog. The progress ticker
 * and {@link #interrupt()} come from other threads, so every write to {@code out}/{@code err} holds
 * {@link #outputLock}.
 *
 * <p>Killing ({@code --halt now}, Ctrl-C, SIGTERM) closes the engine rather than cancelling the jobs: a cancelled
 * job would vanish, while a closed engine fails each running job only once its tree is gone, saying how it died, so
 * that the killed job still gets its joblog line with its signal and runtime. A job the engine never launched fails
 * without an exit status and is dropped, as GNU parallel drops jobs it never started.
 */
final class BatchRun {
    /** Exit status once stdout's reader is gone: 128 + SIGPIPE, as a shell reports a program SIGPIPE killed. */
    static final int EXIT_STDOUT_CLOSED = 141;

    private final RunOptions options;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final Counters counters = new Counters();
    private final Object outputLock = new Object();
    // fired once: stop reading input (halt soon, halt now, Ctrl-C); thread-safe emission via fire()
    private final Sinks.Empty<Void> stopStarting = Sinks.empty();
    private final AtomicBoolean halted = new AtomicBoolean();
    // the outcome that triggered --halt (set once, on the engine thread that delivered it); its message is printed
    // right after its output, or at the end if the output failed before reaching it
    private final AtomicReference<@Nullable JobOutcome> haltTrigger = new AtomicReference<>();
    private final AtomicBoolean haltReported = new AtomicBoolean();
    private final AtomicBoolean interrupted = new AtomicBoolean();
    // set once when a write to out fails (its reader is gone): from the output thread or Main's watcher
    private final AtomicBoolean stdoutClosed = new AtomicBoolean();
    // set once by execute() before any job starts; read by killAll() from an engine thread (halt now) or the
    // signal thread (interrupt)
    private volatile @Nullable ProcessEngine engine;
    // guarded by outputLock
    private @Nullable StatusLine statusLine;
    // GNU parallel's argument sources, modes and pacing; see GnuJobs
    private final GnuJobs gnu;

    BatchRun(RunOptions options, InputStream in, PrintStream out, PrintStream err, boolean terminal) {
        this.options = options;
        this.in = in;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.gnu = new GnuJobs(options, in, counters);
    }

    /**
     * @return the exit status: 0, the number of failed jobs capped at 101, 130 when interrupted (after a signal the
     *         JVM exits with 128 + its number instead), 255 on error
     */
    int execute() {
        long startNanos = System.nanoTime();
        InputLines reader;
        try {
            reader = openInput();
        }
        catch (IOException e) {
            err.println("procflux run: cannot read jobs from " + inputName() + ": " + reason(e));
            return Main.EXIT_RUN_ERROR;
        }
        catch (UncheckedIOException e) {
            err.println("procflux run: cannot read jobs from " + inputName() + ": " + reason(e.getCause()));
            return Main.EXIT_RUN_ERROR;
        }
        try {
            gnu.open();
        }
        catch (IOException | UncheckedIOException | UsageException e) {
            err.println("procflux run: cannot read jobs: " + e.getMessage());
            closeQuietly(reader);
            return Main.EXIT_RUN_ERROR;
        }
        if (options.dryRun()) {
            return gnu.reads() ? gnu.dryRun(out, err) : dryRun(reader);
        }
        @Nullable JobLog joblog = null;
        if (options.joblog().isPresent()) {
            try {
                joblog = gnu.joblog(options.joblog().get());
            }
            catch (IOException e) {
                err.println("procflux run: cannot write joblog " + options.joblog().get() + ": " + reason(e));
                closeQuietly(reader);
                return Main.EXIT_RUN_ERROR;
            }
        }
        int concurrency = concurrency();
        ProcessEngine engine = ProcessEngine.builder().maxConcurrency(concurrency).build();
        this.engine = engine;
        if (interrupted.get()) {
            // interrupt() ran before the engine existed, so it could not close it
            engine.close();
        }
        Disposable ticker = terminal || options.parallel().progress ? startTicker(startNanos) : () -> { };
        Disposable counting = countJobsBeside();
        boolean failed = false;
        try {
            consume(outcomes(jobs(reader), engine, concurrency), joblog, concurrency);
        }
        catch (InputException e) {
            synchronized (outputLock) {
                err.println("procflux run: cannot read jobs from " + inputName() + ": " + reason(e.getCause()));
            }
            failed = true;
            killAll();
        }
        catch (UncheckedIOException e) {
            synchronized (outputLock) {
                err.println("procflux run: " + e.getMessage());
            }
            failed = true;
            killAll();
        }
        finally {
            ticker.dispose();
            counting.dispose();
            // waits until every process tree the run started is gone, so nothing outlives procflux
            engine.close();
            if (killing()) {
                // what a killed job started and lost track of (its parent died first) was re-parented to this JVM
                Subreaper.killAdopted(engine.options().killGracePeriod());
            }
            closeQuietly(reader);
            closeQuietly(gnu);
            if (joblog != null) {
                closeQuietly(joblog);
            }
        }
        counters.unfinishedKilled();
        reportHalt();
        long elapsed = System.nanoTime() - startNanos;
        if (stdoutClosed.get()) {
            // as a program killed by SIGPIPE: quietly, with 128 + 13
            return EXIT_STDOUT_CLOSED;
        }
        if (failed) {
            return Main.EXIT_RUN_ERROR;
        }
        synchronized (outputLock) {
            if (statusLine != null) {
                statusLine.clear();
            }
            if (interrupted.get()) {
                err.println("procflux run: interrupted; " + counters.summary(elapsed));
            }
            else if (options.summary(terminal)) {
                err.println("procflux run: " + counters.summary(elapsed));
            }
            out.flush();
            err.flush();
        }
        if (interrupted.get()) {
            return 130;
        }
        return (int) Math.min(counters.failed(), 101);
    }

    /**
     * Ctrl-C: start nothing more, kill every running job tree and make {@link #execute()} return 130 once the
     * trees are gone and the killed jobs are logged. Safe from any thread, idempotent.
     */
    void interrupt() {
        if (interrupted.compareAndSet(false, true)) {
            killAll();
        }
    }

    /**
     * The reader of stdout is gone: start nothing more, kill the running jobs and make {@link #execute()} return
     * 141, the status of a program killed by SIGPIPE. Safe from any thread, idempotent.
     */
    void stdoutClosed() {
        if (stdoutClosed.compareAndSet(false, true)) {
            killAll();
        }
    }

    private void killAll() {
        halted.set(true);
        fire(stopStarting);
        killRunning();
    }

    /** Kills every running tree by closing the engine; each killed job still ends with a KILLED outcome. */
    private void killRunning() {
        ProcessEngine e = engine;
        if (e != null) {
            // completion is awaited by engine.close() in execute()
            e.dispose();
        }
    }

    /** @return whether running jobs were killed rather than left to finish (Ctrl-C, SIGTERM, halt now) */
    private boolean killing() {
        return interrupted.get() || stdoutClosed.get() || haltTrigger.get() != null && options.halt().when() == HaltPolicy.When.NOW;
    }

    private int concurrency() {
        // 0 means "unlimited": as many as the engine lets wait for a slot, so nothing is ever refused
        return options.jobs() == 0 ? ProcessEngine.builder().buildOptions().maxPendingAcquire() : options.jobs();
    }

    private String inputName() {
        return options.file().map(Path::toString).orElse("stdin");
    }

    /** The reason alone, as the C library words it, without the path the exception repeats. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return String.valueOf(e.getMessage());
    }

    /** Reading the job input failed: unlike a failing job, the run cannot go on. */
    static final class InputException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InputException(IOException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    private InputLines openInput() throws IOException {
        Optional<Path> file = options.file();
        if (file.isEmpty()) {
            return new InputLines(in);
        }
        if (Files.isDirectory(file.get())) {
            throw new FileSystemException(file.get().toString(), null, "Is a directory");
        }
        return new InputLines(Files.newInputStream(file.get()));
    }

    /**
     * For a job file: counts its jobs beside the run, so that the progress bar has an ETA and the summary can
     * count skipped jobs, without delaying the first job. The same rules as the real pass, so that blank and
     * comment lines are not counted as jobs.
     */
    private Disposable countJobsBeside() {
        Optional<Path> file = options.file();
        if (file.isEmpty() || !Files.isRegularFile(file.get()) || gnu.reads()) {
            return () -> { };
        }
        return Mono.fromRunnable(() -> {
            JobFactory counting = new JobFactory(options.template().orElse(null), options.shell());
            try (InputLines lines = new InputLines(Files.newInputStream(file.get()));
                    Stream<String> all = lines.lines()) {
                counters.knownTotal(all.filter(l -> counting.next(l) != null).count());
            }
            catch (IOException | UncheckedIOException e) {
                // the real pass reads the same file and reports the error; without a count there is no ETA
            }
        }).subscribeOn(Schedulers.boundedElastic()).subscribe();
    }

    private Flux<Job> jobs(InputLines reader) {
        JobFactory factory = new JobFactory(options.template().orElse(null), options.shell());
        Flux<Job> read = gnu.reads() ? gnu.jobs().doOnNext(job -> counters.jobRead()) : Flux.fromStream(reader::lines)
                .onErrorMap(UncheckedIOException.class, e -> new InputException(e.getCause()))
                .<Job>handle((line, sink) -> {
                    Job job = factory.next(line);
                    if (job != null && gnu.selected(job)) {
                        counters.jobRead();
                        sink.next(job);
                    }
                });
        return read
                .doOnComplete(counters::inputComplete)
                // reading stdin blocks; never on the engine's threads
                .subscribeOn(Schedulers.boundedElastic())
                .takeUntilOther(stopStarting.asMono());
    }

    private Flux<JobOutcome> outcomes(Flux<Job> jobs, ProcessEngine engine, int concurrency) {
        return options.keepOrder()
                ? jobs.flatMapSequential(job -> run(job, engine), concurrency, 1)
                : jobs.flatMap(job -> run(job, engine), concurrency, 1);
    }

    private void consume(Flux<JobOutcome> outcomes, @Nullable JobLog joblog, int concurrency) {
        try (Stream<JobOutcome> stream = outcomes.toStream(Math.max(8, Math.min(256, concurrency)))) {
            stream.forEach(o -> report(o, joblog));
        }
    }

    private Mono<JobOutcome> run(Job queued, ProcessEngine engine) {
        return gnu.inSlot(queued, job -> gnu.awaitTurn().then(Mono.defer(() -> {
            if (halted.get()) {
                return Mono.empty();
            }
            counters.jobStarted();
            Optional<Command> command = job.command();
            if (command.isEmpty()) {
                return Mono.just(JobOutcome.withoutOutput(job, JobOutcome.Status.INVALID, 2, 0,
                        System.currentTimeMillis(), 0, 0, job.problem().orElse("invalid job")));
            }
            Command c = gnu.timeout().map(command.get()::withTimeout).orElse(command.get());
            // empty: the engine closed (halt now, Ctrl-C) before launching it, so it never started after all
            return attempt(job, c, engine, 1).switchIfEmpty(Mono.fromRunnable(counters::jobNotStarted));
        })
                // here rather than on the output thread, so that flatMap cannot start another job between this
                // failure and the halt decision
                .doOnNext(this::finished)));
    }

    private void finished(JobOutcome o) {
        gnu.finished(o);
        counters.jobFinished(o);
        if (o.isFailure() && options.halt().shouldHalt(counters.failed(), counters.started())
                && halted.compareAndSet(false, true)) {
            haltTrigger.set(o);
            fire(stopStarting);
            if (options.halt().when() == HaltPolicy.When.NOW) {
                killRunning();
            }
        }
    }

    /** @return the outcome of the last attempt that ran, or empty if the first attempt never started */
    private Mono<JobOutcome> attempt(Job job, Command command, ProcessEngine engine, int attempt) {
        return Mono.defer(() -> {
            long startMillis = System.currentTimeMillis();
            long startNanos = System.nanoTime();
            if (options.parallel().outputMode != ParallelOptions.OutputMode.GROUP) {
                // --line-buffer, -u: written while the job runs, nothing is held
                return gnu.execute(engine, job, command, this::writeLive)
                        .map(r -> outcome(job, r.exitStatus(), Spool.EMPTY, Spool.EMPTY, startMillis,
                                System.nanoTime() - startNanos, attempt))
                        .onErrorResume(ProcessException.class, e -> neverStarted(e) ? Mono.empty()
                                : Mono.just(outcome(job, e, Spool.EMPTY, Spool.EMPTY, startMillis,
                                        System.nanoTime() - startNanos, attempt)));
            }
            // spooled as it arrives (not collected by the engine), so that the heap stays bounded whatever the job
            // writes, and a killed job's output up to its death is still there to print
            Spool stdout = new Spool();
            Spool stderr = new Spool();
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
        }).flatMap(o -> o.isFailure() && attempt <= options.retries() && !halted.get()
                // a retry the closing engine refused leaves the failure that asked for it as the outcome
                ? gnu.retryDelay(attempt).then(attempt(job, command, engine, attempt + 1)).defaultIfEmpty(o)
                : Mono.just(o));
    }

    /** Only our own close refuses a job (halt now, Ctrl-C); with no exit status its command never ran. */
    private static boolean neverStarted(ProcessException e) {
        return e instanceof ProcessPoolClosedException closed && closed.exitStatus().isEmpty();
    }

    private static JobOutcome outcome(Job job, ExitStatus status, Spool stdout, Spool stderr, long startMillis,
            long runtimeNanos, int attempt) {
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
        if (e instanceof ProcessStartException) {
            ProcessStartException.Reason reason = ((ProcessStartException) e).reason();
            // what sh reports for the same failures, so scripts checking the joblog see familiar values
            exitValue = reason == ProcessStartException.Reason.EXECUTABLE_NOT_FOUND ? 127
                    : reason == ProcessStartException.Reason.NOT_EXECUTABLE ? 126 : -1;
        }
        return JobOutcome.withoutOutput(job, JobOutcome.Status.ERROR, exitValue, 0, startMillis, runtimeNanos,
                attempt, message);
    }

    private void report(JobOutcome o, @Nullable JobLog joblog) {
        synchronized (outputLock) {
            if (statusLine != null) {
                statusLine.clear();
            }
            if (!gnu.keepAside(o, out) && !stdoutClosed.get()) {
                write(out, o.stdout(), o);
            }
            if (!gnu.keepsStderrAside()) {
                write(err, o.stderr(), o);
            }
            o.stdout().delete();
            o.stderr().delete();
            o.message().ifPresent(m -> err.println("procflux run: " + m));
            out.flush();
            err.flush();
        }
        if (out.checkError()) {
            stdoutClosed();
        }
        if (joblog != null) {
            joblog.write(o);
        }
        if (o == haltTrigger.get()) {
            reportHalt();
        }
    }

    private void reportHalt() {
        if (haltTrigger.get() == null || !haltReported.compareAndSet(false, true)) {
            return;
        }
        boolean now = options.halt().when() == HaltPolicy.When.NOW;
        synchronized (outputLock) {
            if (statusLine != null) {
                statusLine.clear();
            }
            err.println("procflux run: halting (--halt " + options.halt() + "): " + counters.failed()
                    + " failed; starting no more jobs" + (now ? " and killing the running ones" : ""));
            err.flush();
        }
    }

    /** Output of a running job ({@code --line-buffer}, {@code -u}), from its delivery thread. */
    private void writeLive(Job job, boolean stdout, byte[] bytes) {
        synchronized (outputLock) {
            if (statusLine != null) {
                statusLine.clear();
            }
            PrintStream stream = stdout ? out : err;
            new Tagger(stream, job).write(bytes, 0, bytes.length);
            stream.flush();
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
            this.tag = options.tag() || options.parallel().tagString != null
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

    private int dryRun(InputLines reader) {
        JobFactory factory = new JobFactory(options.template().orElse(null), options.shell());
        long invalid = 0;
        try (Stream<String> lines = reader.lines()) {
            for (String line : (Iterable<String>) lines::iterator) {
                Job job = factory.next(line);
                if (job == null) {
                    continue;
                }
                if (job.problem().isPresent()) {
                    invalid++;
                    err.println("procflux run: " + job.problem().get());
                }
                else {
                    printLine(out, job.commandLine());
                    if (out.checkError()) {
                        return EXIT_STDOUT_CLOSED;
                    }
                }
            }
        }
        catch (UncheckedIOException e) {
            err.println("procflux run: cannot read jobs from " + inputName() + ": " + reason(e.getCause()));
            return Main.EXIT_RUN_ERROR;
        }
        out.flush();
        return (int) Math.min(invalid, 101);
    }

    /** Prints {@code line} with the raw bytes it carries ({@link SurrogateEscape}) as those bytes. */
    static void printLine(PrintStream out, String line) {
        out.writeBytes(SurrogateEscape.encode(line + "\n"));
    }

    private Disposable startTicker(long startNanos) {
        synchronized (outputLock) {
            statusLine = new StatusLine(err, startNanos);
        }
        return Flux.interval(Duration.ofMillis(200), Duration.ofMillis(200), Schedulers.parallel())
                .subscribe(tick -> {
                    synchronized (outputLock) {
                        if (statusLine != null) {
                            statusLine.draw(counters, System.nanoTime());
                        }
                    }
                });
    }

    private static void fire(Sinks.Empty<Void> sink) {
        // two threads may fire at once (halt on the output thread, Ctrl-C on the signal thread); the loser of the
        // race sees FAIL_NON_SERIALIZED and retries, a later call sees it already terminated, which is fine
        sink.emitEmpty(Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }

    private void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        }
        catch (IOException e) {
            synchronized (outputLock) {
                err.println("procflux run: " + e.getMessage());
            }
        }
    }

    /** Turns lines into jobs, numbering lines and jobs; used by one thread at a time (the input thread). */
    static final class JobFactory {
        private final @Nullable Template template;
        private final boolean shell;
        private long lineNumber;
        private long jobNumber;

        JobFactory(@Nullable Template template, boolean shell) {
            this.template = template;
            this.shell = shell;
        }

        /** @return the job for the next line, or null for a line that holds no command (blank or comment) */
        @Nullable Job next(String line) {
            lineNumber++;
            if (template == null) {
                if (shell) {
                    if (line.isBlank()) {
                        return null;
                    }
                    return Job.runnable(++jobNumber, lineNumber, line, line, Command.shell(line));
                }
                List<String> argv;
                try {
                    argv = WordSplitter.split(line, lineNumber);
                }
                catch (InvalidJobException e) {
                    return Job.invalid(++jobNumber, lineNumber, line, e.getMessage());
                }
                if (argv.isEmpty()) {
                    return null;
                }
                return Job.runnable(++jobNumber, lineNumber, line, shellLine(argv), Command.of(argv));
            }
            long number = ++jobNumber;
            if (shell) {
                String script = template.expandForShell(line, number);
                return Job.runnable(number, lineNumber, line, script, Command.shell(script));
            }
            List<String> argv = template.expand(line, number);
            return Job.runnable(number, lineNumber, line, shellLine(argv), Command.of(argv));
        }

        /**
         * The argv as a line {@code sh} runs as exactly this argv: every word with a character the shell treats
         * specially is single-quoted, and so is a first word with {@code =} (sh would take it for an assignment).
         */
        static String shellLine(List<String> argv) {
            StringBuilder line = new StringBuilder();
            for (String word : argv) {
                if (line.length() > 0) {
                    line.append(' ');
                }
                boolean assignment = line.length() == 0 && word.indexOf('=') >= 0;
                line.append(assignment ? "'" + word.replace("'", "'\\''") + "'" : Template.shellQuote(word));
            }
            return line.toString();
        }
    }
}
