package dev.procflux.cli;

import dev.procflux.internal.SurrogateEscape;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Where the jobs of one {@code procflux run} come from: one per line of stdin or of {@code -f FILE}, or, for argument
 * sources and {@code --pipe}, from {@link GnuJobs}; and {@code --dry-run}, which prints them instead.
 *
 * <p>Threads: {@link #open()} and {@link #dryRun} run on the calling thread; {@link #jobs(Mono)} reads on a
 * bounded-elastic worker (reading stdin blocks), never on the engine's threads.
 */
final class JobSource implements Closeable {
    private final RunOptions options;
    private final InputStream in;
    private final GnuJobs gnu;
    private final Counters counters;
    // set by open() on the calling thread before the input thread starts
    private @Nullable InputLines reader;

    JobSource(RunOptions options, InputStream in, GnuJobs gnu, Counters counters) {
        this.options = options;
        this.in = in;
        this.gnu = gnu;
        this.counters = counters;
    }

    /** Reading the job input failed: unlike a failing job, the run cannot go on. The message says what and why. */
    static final class InputException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InputException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Opens the job file (or stdin) and {@link GnuJobs}' sources.
     *
     * @throws InputException when the input cannot be opened: missing, unreadable, a directory
     */
    void open() {
        try {
            reader = openLines();
        }
        catch (IOException e) {
            throw cannotRead(e);
        }
        catch (UncheckedIOException e) {
            throw cannotRead(e.getCause());
        }
        try {
            gnu.open();
        }
        catch (UncheckedIOException e) {
            // reading the sources failed: the message names which and why (RecordReader, PipeBlocks)
            throw new InputException(String.valueOf(e.getMessage()), e);
        }
        catch (IOException | UsageException e) {
            throw new InputException("cannot read jobs: " + e.getMessage(), e);
        }
    }

    private InputLines openLines() throws IOException {
        Optional<String> file = options.file();
        if (file.isEmpty()) {
            return new InputLines(in);
        }
        return new InputLines(InputFiles.open(file.get()));
    }

    private InputException cannotRead(IOException e) {
        return new InputException("cannot read jobs from " + inputName() + ": " + reason(e), e);
    }

    private String inputName() {
        return options.file().orElse("stdin");
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

    /**
     * The jobs this run takes, read lazily as they are requested, until {@code stop} fires.
     *
     * @return the jobs; fails with {@link InputException} when the input cannot be read
     */
    Flux<Job> jobs(Mono<Void> stop) {
        JobFactory factory = new JobFactory(options.template().orElse(null), options.shell());
        InputLines lines = opened();
        Flux<Job> read = gnu.reads() ? gnu.jobs().doOnNext(job -> counters.jobRead()) : Flux.fromStream(lines::lines)
                .onErrorMap(UncheckedIOException.class, e -> cannotRead(e.getCause()))
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
                .takeUntilOther(stop);
    }

    /**
     * For a job file: counts its jobs beside the run, so that the progress bar has an ETA and the summary can
     * count skipped jobs, without delaying the first job. The same rules as the real pass, so that blank and
     * comment lines are not counted as jobs.
     */
    Disposable countBeside() {
        Optional<String> file = options.file();
        if (file.isEmpty() || !InputFiles.isRegularFile(file.get()) || gnu.reads()) {
            return () -> { };
        }
        return Mono.fromRunnable(() -> {
            JobFactory counting = new JobFactory(options.template().orElse(null), options.shell());
            try (InputLines lines = new InputLines(InputFiles.open(file.get()));
                    Stream<String> all = lines.lines()) {
                counters.knownTotal(all.filter(l -> counting.next(l) != null).count());
            }
            catch (IOException | UncheckedIOException e) {
                // the real pass reads the same file and reports the error; without a count there is no ETA
            }
        }).subscribeOn(Schedulers.boundedElastic()).subscribe();
    }

    /** {@code --dry-run}: prints each job's command line instead of running it; returns the exit status. */
    int dryRun(PrintStream out, PrintStream err) {
        if (gnu.reads()) {
            return gnu.dryRun(out, err);
        }
        JobFactory factory = new JobFactory(options.template().orElse(null), options.shell());
        long invalid = 0;
        try (Stream<String> lines = opened().lines()) {
            for (String line : (Iterable<String>) lines::iterator) {
                Job job = factory.next(line);
                if (job == null) {
                    continue;
                }
                if (job.problem().isPresent()) {
                    invalid++;
                    Diagnostics.print(err, "procflux run", job.problem().get());
                }
                else {
                    printLine(out, job.commandLine());
                    if (out.checkError()) {
                        return ExitCode.STDOUT_CLOSED;
                    }
                }
            }
        }
        catch (UncheckedIOException e) {
            Diagnostics.print(err, "procflux run", cannotRead(e.getCause()).getMessage());
            return ExitCode.RUN_ERROR;
        }
        out.flush();
        return ExitCode.failedJobs(invalid);
    }

    /** Prints {@code line} with the raw bytes it carries ({@link SurrogateEscape}) as those bytes. */
    static void printLine(PrintStream out, String line) {
        out.writeBytes(SurrogateEscape.encode(line + "\n"));
    }

    private InputLines opened() {
        InputLines r = reader;
        if (r == null) {
            throw new IllegalStateException("open() was not called");
        }
        return r;
    }

    @Override
    public void close() throws IOException {
        try {
            InputLines r = reader;
            if (r != null) {
                r.close();
            }
        }
        finally {
            gnu.close();
        }
    }
}
