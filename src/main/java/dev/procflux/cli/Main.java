package dev.procflux.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import dev.procflux.internal.Subreaper;
import java.util.logging.Level;
import java.util.logging.LogManager;
import org.jspecify.annotations.Nullable;
import reactor.util.Loggers;

/**
 * The {@code procflux} command line: {@code procflux run}, {@code procflux serve}, {@code procflux version}.
 *
 * <p>{@link #main(String[])} is the jar's entry point. Everything else is usable from code and tests:
 * {@link #run(String[], InputStream, PrintStream, PrintStream)} runs one command line against the given streams and
 * returns the exit status instead of exiting the JVM.
 *
 * <p>Exit status of {@code procflux run}: 0 when every job succeeded, otherwise the number of failed jobs capped
 * at 101 (as in GNU parallel), 130 after Ctrl-C (SIGINT), 143 after SIGTERM (128 + the signal, as a shell reports a
 * process that signal killed), 141 when stdout's reader went away (as for a process SIGPIPE killed), 255 for a
 * bad option or an unreadable job file. Other subcommands exit with 2 for a usage error; {@code procflux serve}
 * runs until interrupted (Ctrl-C or SIGTERM), then exits with 0.
 */
public final class Main {
    /** Exit status after Ctrl-C, as a shell reports a process killed by SIGINT. */
    public static final int EXIT_INTERRUPTED = ExitCode.INTERRUPTED;
    /** Exit status for a usage error outside {@code run}. */
    public static final int EXIT_USAGE = ExitCode.USAGE;
    /** Exit status of {@code run} for a bad option or input: above 101, the highest failed-job count. */
    public static final int EXIT_RUN_ERROR = ExitCode.RUN_ERROR;

    private static final long STDOUT_WATCH_NANOS = 200_000_000;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final CountDownLatch finished = new CountDownLatch(1);
    // written by the thread in run(), read by interrupt() from the shutdown-hook thread
    private volatile @Nullable BatchRun active;
    private volatile @Nullable Serve serving;
    private volatile boolean interrupted;
    // written by the thread in run() once serve has stopped gracefully, read by the shutdown hook
    private volatile boolean serveStopped;

    /**
     * A command line reading jobs from {@code in} and writing to {@code out} and {@code err}.
     *
     * @param in where {@code run} reads jobs when no {@code -f} is given
     * @param out where job stdout and {@code --dry-run} go
     * @param err where job stderr, messages, the progress bar and the summary go
     * @param terminal whether {@code err} is a terminal: shows the progress bar and, by default, the summary
     */
    public Main(InputStream in, PrintStream out, PrintStream err, boolean terminal) {
        this.in = Objects.requireNonNull(in, "in");
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
        this.terminal = terminal;
    }

    /**
     * Runs {@code procflux} with {@code args} and exits the JVM with its status. Ctrl-C (or SIGTERM) kills every
     * running job's process tree, writes the killed jobs to the joblog, prints what finished and exits with 130
     * (143 for SIGTERM, 129 for SIGHUP: the JVM's own status for a signal's shutdown, left in place rather than
     * replaced by {@link System#exit}).
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        // the command line speaks through its own one-line messages only: NuProcess's JUL warnings and Reactor's
        // logs would repeat a failure with a stack trace (and a 1 MB argument with it)
        Loggers.useJdkLoggers();
        LogManager.getLogManager().reset();
        java.util.logging.Logger.getLogger("").setLevel(Level.OFF);
        // arguments are held as UTF-8 (other bytes as U+DC80..U+DCFF), so messages are written in UTF-8 to show an
        // argument's own bytes: System.out and System.err encode in the locale's charset, ASCII under LC_ALL=C
        System.setOut(utf8(FileDescriptor.out));
        System.setErr(utf8(FileDescriptor.err));
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> System.err.println("procflux: internal error in "
                + thread.getName() + ": " + e));
        // this JVM starts processes for the jobs only: it adopts what they leave behind, so a kill reaches it
        Subreaper.enable();
        Main main = new Main(System.in, System.out, System.err, stderrIsTerminal());
        Thread watch = new Thread(main::watchStdout, "procflux-stdout-watch");
        watch.setDaemon(true);
        watch.start();
        Thread hook = new Thread(main::onShutdown, "procflux-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // only run's arguments reach jobs; serve's are names of files and addresses
        int status = main.run(args.length > 0 && args[0].equals("run") ? RawCommandLine.recover(args) : args);
        if (main.interrupted) {
            // the JVM is already shutting down: System.exit would block forever; the signal sets the status
            return;
        }
        System.exit(status);
    }

    /** A stream on {@code fd} as the JVM makes System.out and System.err (flushed at each write), in UTF-8. */
    private static PrintStream utf8(FileDescriptor fd) {
        return new PrintStream(new BufferedOutputStream(new FileOutputStream(fd), 128), true, StandardCharsets.UTF_8);
    }

    /**
     * Runs one command line against the given streams, with no progress bar, and returns its exit status; never
     * exits the JVM.
     *
     * @param args the command line, e.g. {@code run -k -j 4 -f jobs.txt}
     * @param in where {@code run} reads jobs when no {@code -f} is given
     * @param out where job stdout goes
     * @param err where job stderr and messages go
     * @return the exit status
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return new Main(in, out, err, false).run(args);
    }

    /**
     * Runs one command line and returns its exit status; never exits the JVM. Call once per instance.
     *
     * @param args the command line
     * @return the exit status
     */
    public int run(String... args) {
        Objects.requireNonNull(args, "args");
        try {
            return dispatch(Arrays.asList(args));
        }
        finally {
            out.flush();
            err.flush();
            finished.countDown();
        }
    }

    /**
     * Ctrl-C from code: kills every running job's process tree, and {@link #run(String...)} then returns 130;
     * or stops {@code procflux serve} (closing its connections kills their process trees), which then returns 0.
     * Safe from any thread; does nothing when neither is in progress.
     */
    public void interrupt() {
        interrupted = true;
        BatchRun batch = active;
        if (batch != null) {
            batch.interrupt();
        }
        Serve server = serving;
        if (server != null) {
            server.interrupt();
        }
    }

    /** Notices stdout's reader going away while no job writes (writes notice it themselves). Daemon thread. */
    private void watchStdout() {
        while (finished.getCount() > 0) {
            LockSupport.parkNanos(STDOUT_WATCH_NANOS);
            BatchRun batch = active;
            if (batch != null && StdoutReader.isGone()) {
                batch.stdoutClosed();
            }
        }
    }

    private void onShutdown() {
        if (finished.getCount() == 0) {
            return;
        }
        interrupt();
        try {
            // run() kills the trees and prints the summary; the grace period is 2s, so this is a generous bound;
            // serve drains for up to its drain timeout first
            finished.await(serving != null || serveStopped ? 120 : 10, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (serveStopped) {
            // SIGTERM and SIGINT stop a server gracefully: a service manager must see success (0), not the JVM's
            // 128 + signal; every resource is closed by now
            Runtime.getRuntime().halt(0);
        }
    }

    private int dispatch(List<String> args) {
        if (args.isEmpty()) {
            err.print(Help.MAIN);
            return ExitCode.USAGE;
        }
        String command = args.get(0);
        List<String> rest = args.subList(1, args.size());
        switch (command) {
            case "run":
                return runCommand(rest);
            case "serve":
                return serveCommand(rest);
            case "version":
            case "--version":
                out.println("procflux " + version());
                out.println("java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
                        + "), " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                        + Runtime.getRuntime().availableProcessors() + " CPUs");
                return 0;
            case "help":
            case "-h":
            case "--help":
                if (!rest.isEmpty() && rest.get(0).equals("run")) {
                    out.print(Help.RUN);
                }
                else if (!rest.isEmpty() && rest.get(0).equals("serve")) {
                    out.print(Help.SERVE);
                }
                else {
                    out.print(Help.MAIN);
                }
                return 0;
            default:
                Diagnostics.print(err, "procflux", "unknown command '" + command + "'");
                err.print(Help.MAIN);
                return ExitCode.USAGE;
        }
    }

    private int runCommand(List<String> args) {
        RunOptions options;
        try {
            options = RunOptions.parse(args);
        }
        catch (UsageException e) {
            Diagnostics.print(err, "procflux run", e.getMessage());
            err.println("Try 'procflux run --help'.");
            return ExitCode.RUN_ERROR;
        }
        if (options.help()) {
            out.print(Help.RUN);
            return 0;
        }
        if (in == System.in && options.file().isEmpty() && isTerminal(0)) {
            // a forgotten pipe or -f would otherwise look like a hang
            err.println("procflux run: reading jobs from the terminal, one per line; end them with Ctrl-D");
        }
        BatchRun batch = new BatchRun(options, in, out, err, terminal);
        active = batch;
        if (interrupted) {
            batch.interrupt();
        }
        try {
            return batch.execute();
        }
        finally {
            active = null;
        }
    }

    private int serveCommand(List<String> args) {
        Serve serve = new Serve(System.getenv(), out, err);
        serving = serve;
        if (interrupted) {
            serve.interrupt();
        }
        try {
            int status = serve.execute(args);
            out.flush();
            err.flush();
            serveStopped = status == 0;
            return status;
        }
        finally {
            serving = null;
        }
    }

    /**
     * Whether stderr is a terminal. Java has no isatty; on Linux {@code /proc/self/fd/2} names the device, elsewhere
     * {@link System#console()} (which needs stdin and stdout to be terminals) is the best available guess.
     */
    static boolean stderrIsTerminal() {
        return isTerminal(2);
    }

    /** Whether descriptor {@code fd} of this process is a terminal (see {@link #stderrIsTerminal()}). */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        }
        catch (IOException | UnsupportedOperationException | SecurityException e) {
            // no /proc (macOS, BSD): fall back to the console check
            return System.console() != null;
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }
}
