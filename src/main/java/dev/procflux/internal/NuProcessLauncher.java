package dev.procflux.internal;

import com.sun.jna.Memory;
import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessBuilder;
import com.zaxxer.nuprocess.NuProcessHandler;
import com.zaxxer.nuprocess.internal.BasePosixProcess;
import com.zaxxer.nuprocess.internal.LibC;
import com.zaxxer.nuprocess.internal.ReferenceCountedFileDescriptor;
import dev.procflux.Command;
import dev.procflux.ExitStatus;
import dev.procflux.ProcessStartException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * Launches processes with NuProcess and fixes what it reports late or ambiguously:
 * <ul>
 * <li>NuProcess reaps a child only after both pipes close, then polls {@code waitpid} every 250 ms; we peek at
 * the exit with a non-reaping {@code waitid} as soon as the pipes close, on a short back-off.</li>
 * <li>NuProcess reports a start failure, exit status 127 and a launch error all as {@code Integer.MIN_VALUE}, and
 * a signal death as the bare signal number; the peek gives the real {@code siginfo} instead.</li>
 * </ul>
 */
final class NuProcessLauncher implements Launcher {
    // Back-off between exit peeks once the pipes are closed: the child is usually a zombie within microseconds
    private static final long[] PROBE_DELAYS_NANOS = {20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000};
    private static final long MAX_PROBE_DELAY_NANOS = 5_000_000;
    private static final long SPIN_NANOS = 100_000;
    private static final long EXITING_WAIT_NANOS = 50_000_000;
    private static final long EXITING_PARK_NANOS = 20_000;
    private static final int PAGE = 4096;
    // One buffer per I/O thread for reading a pipe to its end after the hang-up; never used concurrently
    private static final ThreadLocal<Memory> TAIL_BUFFER =
            ThreadLocal.withInitial(() -> new Memory(StreamMarks.READ_SIZE));
    // One buffer per I/O thread for the listener's read-ahead; used only within one callback. Page-aligned: a pipe
    // read into a buffer 16 bytes into a page, where the allocator places large blocks, costs about 1.7x the CPU
    // (jmh ReadAlignment)
    private static final ThreadLocal<ByteBuffer> READ_AHEAD = ThreadLocal.withInitial(() -> ByteBuffer
            .allocateDirect(StreamMarks.MAX_CHUNK - StreamMarks.READ_SIZE + PAGE).alignedSlice(PAGE)
            .limit(StreamMarks.MAX_CHUNK - StreamMarks.READ_SIZE).slice());

    static {
        // children must not inherit the SIGPIPE that NuProcess ignores as it loads
        ChildSignals.loadNuProcess();
    }

    private final Scheduler timer;
    private final DescriptorHeadroom headroom = new DescriptorHeadroom();

    NuProcessLauncher(Scheduler timer) {
        this.timer = timer;
    }

    @Override
    public LaunchedProcess launch(Command command, ProcessListener listener) {
        StartChecks.check(command);
        Map<String, String> env;
        if (command.environment().isEmpty()) {
            // NuProcessBuilder copies the map: no need for a copy of our own in the common case
            env = command.inheritsEnvironment() ? System.getenv() : Map.of();
        }
        else {
            env = command.inheritsEnvironment() ? new HashMap<>(System.getenv()) : new HashMap<>();
            env.putAll(command.environment());
        }
        List<String> argv = argv(command);
        // what the caller asked to exec: a refusal names its arguments, not the trampoline's
        List<String> commandArgv = argv;
        Map<String, String> commandEnv = env;
        boolean trampolined = false;
        if (Trampoline.isNeeded(argv, command.environment())) {
            Trampoline.Launch viaShell;
            try {
                viaShell = Trampoline.of(argv, env);
            }
            catch (IllegalArgumentException e) {
                throw new ProcessStartException(ProcessStartException.Reason.INVALID_ARGUMENT, command.commandLine(),
                        "cannot start '" + abbreviated(command.commandLine()) + "': " + e.getMessage(), e);
            }
            argv = viaShell.argv();
            env = viaShell.environment();
            trampolined = true;
        }
        NuProcessBuilder builder = new NuProcessBuilder(argv, env);
        command.directory().ifPresent(builder::setCwd);
        Handler handler = new Handler(listener,
                command.stdin().isPresent() || command.stdinPublisher().isPresent());
        builder.setProcessListener(handler);
        String noRoom = headroom.refusal();
        if (noRoom != null) {
            throw new ProcessStartException(ProcessStartException.Reason.LAUNCH_FAILED, command.commandLine(),
                    "cannot start '" + command.commandLine() + "': too few file descriptors (" + noRoom + ")", null);
        }
        NuProcess process;
        Lock launching = Subreaper.launching();
        // the child inherits this thread's signal mask, in which HotSpot blocks SIGQUIT
        Memory mask = ChildSignals.unblockAll();
        try {
            process = builder.start();
            if (process != null) {
                handler.registerPid(process.getPID());
            }
        }
        catch (RuntimeException e) {
            headroom.launchFailed();
            throw new ProcessStartException(ProcessStartException.Reason.LAUNCH_FAILED, command.commandLine(),
                    "cannot start '" + command.commandLine() + "': " + e.getMessage(), e);
        }
        finally {
            ChildSignals.restore(mask);
            if (launching != null) {
                launching.unlock();
            }
        }
        if (process == null || handler.startFailed) {
            headroom.launchFailed();
            DirectStdout direct = handler.direct;
            if (direct != null) {
                direct.close(); // taken in onStart, before NuProcess gave up on the process
            }
            // NuProcess logged the cause and returned null: after our checks this is the OS refusing, either the
            // arguments (E2BIG, told by their size) or the process itself (fork limits)
            String tooLong = argumentsTooLong(commandArgv, commandEnv);
            if (tooLong == null && trampolined) {
                tooLong = trampolineTooLong(commandArgv, commandEnv, argv);
            }
            throw new ProcessStartException(ProcessStartException.Reason.LAUNCH_FAILED, command.commandLine(),
                    "cannot start '" + abbreviated(command.commandLine()) + "': " + (tooLong != null ? tooLong
                            : "the operating system refused to create the process (" + limits() + ")"), null);
        }
        handler.gate.open();
        return handler;
    }

    /** The argv to exec: the command's, behind {@code setpriv --pdeathsig KILL --} when it asks for that. */
    private static List<String> argv(Command command) {
        if (!command.hasParentDeathSignal()) {
            return command.argv();
        }
        Path setpriv;
        try {
            setpriv = java.util.Objects.requireNonNull(StartChecks.check(Command.of("setpriv")));
        }
        catch (ProcessStartException e) {
            throw new ProcessStartException(e.reason(), command.commandLine(), "cannot start '"
                    + command.commandLine() + "' with a parent-death signal: it needs util-linux's setpriv on PATH ("
                    + e.getMessage() + ")", e);
        }
        List<String> argv = new ArrayList<>(command.argv().size() + 4);
        argv.add(setpriv.toString());
        argv.add("--pdeathsig");
        argv.add("KILL");
        argv.add("--");
        argv.addAll(command.argv());
        return argv;
    }

    /** Longest single argument or environment string {@code execve} takes on Linux (32 pages). */
    private static final long MAX_ARG_STRLEN = 32 * 4096;
    private static final int SC_ARG_MAX = 0;
    private static final int MAX_SHOWN_CHARS = 120;

    interface Sysconf extends com.sun.jna.Library {
        long sysconf(int name);
    }

    /**
     * @return why {@code execve} refuses these arguments with E2BIG ("argument list too long (N bytes, limit M)"),
     *     or null when they are within the kernel's limits
     */
    static @Nullable String argumentsTooLong(List<String> argv, Map<String, String> env) {
        long total = 0;
        for (int i = 0; i < argv.size(); i++) {
            long size = SurrogateEscape.encodedLength(argv.get(i)) + 1L;
            if (size > MAX_ARG_STRLEN) {
                return "argument list too long (argument " + (i + 1) + " is " + (size - 1) + " bytes, limit "
                        + (MAX_ARG_STRLEN - 1) + " per argument)";
            }
            total += size + 8;
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            total += SurrogateEscape.encodedLength(e.getKey()) + 1 + SurrogateEscape.encodedLength(e.getValue())
                    + 1L + 8;
        }
        long max = argMax();
        return max > 0 && total > max ? "argument list too long (" + total + " bytes with the environment, limit "
                + max + ")" : null;
    }

    /**
     * @param argv the command's argv, as the caller gave it
     * @param env the command's environment
     * @param shArgv the {@link Trampoline}'s argv for it: {@code /bin/sh -c SCRIPT}, then one parameter per
     *     argument of {@code argv} and per variable of {@code env}, in that order, raw bytes written as
     *     {@code printf} formats (up to four bytes each)
     * @return why {@code execve} refuses {@code shArgv} with E2BIG, in terms of the command's own arguments, or
     *     null when it is within the kernel's limits
     */
    static @Nullable String trampolineTooLong(List<String> argv, Map<String, String> env, List<String> shArgv) {
        List<String> names = new ArrayList<>(env.keySet());
        long total = 0;
        for (int i = 0; i < shArgv.size(); i++) {
            long size = SurrogateEscape.encodedLength(shArgv.get(i)) + 1L;
            int parameter = i - Trampoline.FIRST_PARAMETER;
            if (size > MAX_ARG_STRLEN && parameter >= 0) {
                String what = parameter < argv.size()
                        ? "argument " + (parameter + 1) + " is " + SurrogateEscape.encodedLength(argv.get(parameter))
                        : "environment variable " + names.get(parameter - argv.size()) + " is "
                                + SurrogateEscape.encodedLength(env.get(names.get(parameter - argv.size())));
                return "argument list too long (" + what + " bytes, " + (size - 1) + " as the printf format that "
                        + "passes its bytes through " + Trampoline.SHELL + ", limit " + (MAX_ARG_STRLEN - 1)
                        + " per argument)";
            }
            total += size + 8;
        }
        long max = argMax();
        return max > 0 && total > max ? "argument list too long (" + total + " bytes with the environment once its "
                + "bytes are written as printf formats for " + Trampoline.SHELL + ", limit " + max + ")" : null;
    }

    /** @return {@code sysconf(_SC_ARG_MAX)}, or -1 when it cannot be read */
    private static long argMax() {
        try {
            return com.sun.jna.Native.load("c", Sysconf.class).sysconf(SC_ARG_MAX);
        }
        catch (RuntimeException | LinkageError e) {
            // no figure to compare with: the caller then gives the operating system's refusal without one
            return -1;
        }
    }

    /** A command line short enough for a message: a 1 MB argument must not make a 1 MB message. */
    static String abbreviated(String commandLine) {
        if (commandLine.length() <= MAX_SHOWN_CHARS) {
            return commandLine;
        }
        return commandLine.substring(0, MAX_SHOWN_CHARS) + "... (" + commandLine.length() + " characters)";
    }

    /**
     * What the failure path can tell about the likely cause: NuProcess logs the errno and returns null, so look at
     * the descriptor count against its limit here (only on failure, never per launch).
     */
    static String limits() {
        long open = -1;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            open = fds.count();
        }
        catch (IOException | RuntimeException e) {
            // unknown: say so below
        }
        String max = "?";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    max = line.substring("Max open files".length()).trim().split("\\s+")[0];
                }
            }
        }
        catch (IOException | RuntimeException e) {
            // unknown: say so below
        }
        return "open file descriptors " + (open < 0 ? "?" : Long.toString(open)) + " of " + max
                + "; otherwise the process limit (ulimit -u) or memory";
    }

    /** Adapts NuProcess callbacks to a {@link ProcessListener}; also the {@link LaunchedProcess} handle. */
    private final class Handler implements NuProcessHandler, LaunchedProcess {
        private final ProcessListener listener;
        private final boolean hasStdin;
        // exactly-once guard between the exit peek (I/O or timer thread) and NuProcess's own onExit (I/O thread)
        private final AtomicBoolean exitReported = new AtomicBoolean();
        // stdin requests from other threads wait until start() has returned (see LaunchGate)
        final LaunchGate gate = new LaunchGate();
        private final Runnable requestWrite = this::requestWrite;
        private final Runnable requestClose = this::requestClose;
        // written before start() returns (NuProcess calls onPreStart/onStart on the launching thread)
        private volatile @Nullable NuProcess process;
        private volatile boolean started;
        private volatile boolean startFailed;
        // written only on the NuProcess I/O thread; read by the killer's timer
        private volatile boolean stdoutClosed;
        private volatile boolean stderrClosed;
        // set by a kill thread (whenOutputClosed), taken once by whichever of it and the I/O thread sees both pipes closed
        private final AtomicReference<@Nullable Runnable> onOutputClosed = new AtomicReference<>();
        // written by the killing thread, read when decoding NuProcess's ambiguous exit value
        private volatile int lastSignal;
        private volatile boolean probing;
        // the real stdout pipe when the listener reads it itself; written in onStart, before NuProcess reads
        private volatile @Nullable DirectStdout direct;
        // whether the pid went to the Subreaper's registry and whether NuProcess reaped it; guarded by this
        private boolean pidRegistered;
        private boolean reaped;

        Handler(ProcessListener listener, boolean hasStdin) {
            this.listener = listener;
            this.hasStdin = hasStdin;
        }

        @Override
        public void onPreStart(NuProcess nuProcess) {
            this.process = nuProcess;
        }

        @Override
        public void onStart(NuProcess nuProcess) {
            this.process = nuProcess;
            started = true;
            if (listener.wantsDirectStdout() && nuProcess instanceof BasePosixProcess) {
                // here, before NuProcess adds stdout to its epoll set (right after this callback returns)
                ReferenceCountedFileDescriptor descriptor = ((BasePosixProcess) nuProcess).getStdout();
                int fd = descriptor.acquire();
                try {
                    direct = fd == -1 ? null : DirectStdout.take(fd);
                }
                finally {
                    descriptor.release();
                }
            }
            listener.onStart(this);
            if (hasStdin) {
                nuProcess.wantWrite();
            }
            else {
                nuProcess.closeStdin(true);
            }
        }

        @Override
        public void onStdout(ByteBuffer buffer, boolean closed) {
            if (buffer.hasRemaining()) {
                int more = closed ? 0 : listener.stdoutReadAhead(buffer.remaining());
                if (more > 0) {
                    listener.onStdout(buffer, readAhead(more));
                }
                else {
                    listener.onStdout(buffer);
                }
                buffer.position(buffer.limit());
            }
            if (closed) {
                if (direct == null) {
                    readToTheEnd(true); // a direct stream's listener reads the real pipe: this one stays empty
                }
                stdoutClosed = true;
                pipesMaybeClosed();
            }
        }

        @Override
        public void onStderr(ByteBuffer buffer, boolean closed) {
            if (buffer.hasRemaining()) {
                listener.onStderr(buffer);
                buffer.position(buffer.limit());
            }
            if (closed) {
                readToTheEnd(false);
                stderrClosed = true;
                pipesMaybeClosed();
            }
        }

        /**
         * I/O thread, within {@link #onStdout}: NuProcess reads at most 64 KiB per wake-up, while a grown pipe may
         * hold up to 1 MiB; so one more {@code read} of up to {@code more} bytes takes what else the pipe holds now,
         * and the listener gets it together with NuProcess's bytes, as one chunk. Each wake-up, chunk and hand-off
         * then carries more bytes. The pipe is non-blocking, so this never waits; stdout is registered
         * level-triggered, and epoll checks a descriptor again before reporting it, so a pipe emptied here is never
         * reported readable on a stale event.
         *
         * @return the bytes read ahead, empty when none (end of file and EAGAIN are left to NuProcess's next event)
         */
        private ByteBuffer readAhead(int more) {
            ByteBuffer view = READ_AHEAD.get();
            view.clear();
            NuProcess p = process;
            if (p instanceof BasePosixProcess) {
                ReferenceCountedFileDescriptor descriptor = ((BasePosixProcess) p).getStdout();
                int fd = descriptor.acquire();
                try {
                    if (fd != -1) {
                        int n = LibC.read(fd, view, Math.min(more, view.capacity()));
                        view.limit(Math.max(n, 0));
                        return view;
                    }
                }
                finally {
                    descriptor.release();
                }
            }
            view.limit(0);
            return view;
        }

        /**
         * I/O thread, at a pipe's hang-up. NuProcess reads once (up to 64 KiB) when the hang-up arrives and then
         * reports end-of-file, dropping whatever else the pipe still holds; a pipe grown beyond 64 KiB (by the child,
         * with {@code F_SETPIPE_SZ}) would lose output. So read it to its real end here: the descriptor is still
         * open during this callback, and non-blocking, so this never waits.
         */
        private void readToTheEnd(boolean stdout) {
            NuProcess p = process;
            if (!(p instanceof BasePosixProcess)) {
                return;
            }
            ReferenceCountedFileDescriptor descriptor = stdout ? ((BasePosixProcess) p).getStdout()
                    : ((BasePosixProcess) p).getStderr();
            int fd = descriptor.acquire();
            try {
                if (fd == -1) {
                    return;
                }
                Memory tail = TAIL_BUFFER.get();
                int n;
                while ((n = Posix.read(fd, tail, StreamMarks.READ_SIZE)) > 0) {
                    ByteBuffer bytes = tail.getByteBuffer(0, n);
                    if (stdout) {
                        listener.onStdout(bytes);
                    }
                    else {
                        listener.onStderr(bytes);
                    }
                }
            }
            finally {
                descriptor.release();
            }
        }

        @Override
        public boolean onStdinReady(ByteBuffer buffer) {
            return listener.onStdinReady(buffer);
        }

        /** Launching thread, right after start(): NuProcess may have reaped a quick child already. */
        synchronized void registerPid(long pid) {
            if (!reaped) {
                Subreaper.launched(pid);
            }
            pidRegistered = true;
        }

        private synchronized void reaped() {
            reaped = true;
            if (pidRegistered) {
                Subreaper.reaped(pid());
            }
        }

        @Override
        public void onExit(int statusCode) {
            reaped();
            if (!started) {
                startFailed = true; // reported by launch(): start() returns null after this
                return;
            }
            if (exitReported.compareAndSet(false, true)) {
                listener.onExit(decode(statusCode));
            }
        }

        private ExitStatus decode(int statusCode) {
            if (statusCode == Integer.MIN_VALUE) {
                return ExitStatus.exited(127); // NuProcess maps WEXITSTATUS 127 to MIN_VALUE
            }
            if (statusCode == Integer.MAX_VALUE || statusCode == Integer.MAX_VALUE - 1) {
                // ECHILD (reaped elsewhere) or NuProcess shutting down: the real status is lost
                return ExitStatus.exited(255);
            }
            int signal = lastSignal;
            if (signal != 0 && statusCode == signal) {
                return ExitStatus.signaled(signal); // NuProcess reports a signal death as the bare signal number
            }
            return ExitStatus.exited(statusCode & 0xff);
        }

        private void pipesMaybeClosed() {
            if (stdoutClosed && stderrClosed) {
                runOutputClosed();
                pipesClosed();
            }
        }

        @Override
        public boolean outputClosed() {
            return stdoutClosed && stderrClosed;
        }

        @Override
        public void whenOutputClosed(Runnable callback) {
            onOutputClosed.set(callback);
            if (outputClosed()) {
                runOutputClosed();
            }
        }

        private void runOutputClosed() {
            Runnable callback = onOutputClosed.getAndSet(null);
            if (callback != null) {
                callback.run();
            }
        }

        @Override
        public @Nullable DirectStdout directStdout() {
            return direct;
        }

        @Override
        public int resizeStdoutPipe(int bytes) {
            DirectStdout d = direct;
            if (d != null) {
                return d.resize(bytes);
            }
            NuProcess p = process;
            return p instanceof BasePosixProcess ? resize(((BasePosixProcess) p).getStdout(), bytes) : -1;
        }

        @Override
        public int resizeStdinPipe(int bytes) {
            NuProcess p = process;
            return p instanceof BasePosixProcess ? resize(((BasePosixProcess) p).getStdin(), bytes) : -1;
        }

        private int resize(ReferenceCountedFileDescriptor descriptor, int bytes) {
            int fd = descriptor.acquire();
            try {
                return fd == -1 ? -1 : Posix.setPipeSize(fd, bytes);
            }
            finally {
                descriptor.release();
            }
        }

        @Override
        public List<String> outputPipes() {
            List<String> pipes = new ArrayList<>(2);
            if (process instanceof BasePosixProcess) {
                BasePosixProcess p = (BasePosixProcess) process;
                DirectStdout d = direct;
                if (d != null) {
                    // the real pipe, which the child and its descendants hold; NuProcess's stdout is an empty one
                    synchronized (d) {
                        pipeId(d.descriptor(), pipes);
                    }
                }
                else {
                    pipeId(p.getStdout(), pipes);
                }
                pipeId(p.getStderr(), pipes);
            }
            return pipes;
        }

        private void pipeId(ReferenceCountedFileDescriptor descriptor, List<String> pipes) {
            int fd = descriptor.acquire();
            try {
                pipeId(fd, pipes);
            }
            finally {
                descriptor.release();
            }
        }

        /** Adds the pipe {@code fd} names; call while {@code fd} cannot be closed. */
        private void pipeId(int fd, List<String> pipes) {
            try {
                if (fd != -1) {
                    pipes.add(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
                }
            }
            catch (IOException | RuntimeException e) {
                // closed meanwhile: nothing holds it any more
            }
        }

        private void startProbing() {
            if (probing) {
                return;
            }
            probing = true;
            probe(0);
        }

        /**
         * I/O thread, right after the last pipe closed. A dying process closes its files just before it becomes a
         * zombie, and NuProcess reaps it (losing whether it died of a signal) as soon as it is one; so peek in a
         * short bounded spin here first. It ends within microseconds for a process that is exiting, and gives up
         * after {@link #SPIN_NANOS} for one that merely closed its pipes, leaving it to the timed probes.
         */
        private void pipesClosed() {
            if (probing) {
                return;
            }
            probing = true;
            long deadline = System.nanoTime() + SPIN_NANOS;
            do {
                if (peekAndReport()) {
                    return;
                }
                Thread.onSpinWait();
            } while (System.nanoTime() < deadline);
            if (ProcessTree.isExiting(pid())) {
                awaitZombie();
                return;
            }
            probe(1);
        }

        /**
         * I/O thread: the child is exiting but was preempted before it became a zombie. NuProcess reaps on this
         * thread right after the callback returns, and it reports a signal death as a bare number indistinguishable
         * from an exit code, so hold the thread (parking, not spinning) until the peek succeeds. Bounded: after
         * {@link #EXITING_WAIT_NANOS} the timed probes take over.
         */
        private void awaitZombie() {
            long deadline = System.nanoTime() + EXITING_WAIT_NANOS;
            do {
                LockSupport.parkNanos(EXITING_PARK_NANOS);
                if (peekAndReport()) {
                    return;
                }
            } while (System.nanoTime() < deadline);
            probe(1);
        }

        /** Runs on the I/O thread (first peek: a non-blocking syscall) or on the timer. */
        private void probe(int attempt) {
            if (peekAndReport()) {
                return;
            }
            long delay = attempt < PROBE_DELAYS_NANOS.length ? PROBE_DELAYS_NANOS[attempt] : MAX_PROBE_DELAY_NANOS;
            timer.schedule(() -> probe(attempt + 1), delay, TimeUnit.NANOSECONDS);
        }

        /** @return whether the exit is (or will be) reported: peeked here, reported already, or reaped by NuProcess */
        private boolean peekAndReport() {
            if (exitReported.get()) {
                return true;
            }
            ExitStatus status = Posix.peekExit(pid());
            if (status == Posix.REAPED) {
                return true; // NuProcess reaped it first; its onExit reports the status
            }
            if (status == null) {
                return false;
            }
            if (exitReported.compareAndSet(false, true)) {
                listener.onExit(status);
            }
            return true;
        }

        @Override
        public long pid() {
            NuProcess p = process;
            return p == null ? -1 : p.getPID();
        }

        @Override
        public void wantWrite() {
            gate.run(requestWrite);
        }

        private void requestWrite() {
            NuProcess p = process;
            if (p != null && p.isRunning()) {
                try {
                    p.wantWrite();
                }
                catch (IllegalStateException stdinClosed) {
                    // the child closed its end (or exited): nothing more can be written, and nothing needs to be
                }
            }
        }

        @Override
        public void closeStdin() {
            gate.run(requestClose);
        }

        private void requestClose() {
            NuProcess p = process;
            if (p != null) {
                try {
                    p.closeStdin(false);
                }
                catch (IllegalStateException alreadyClosed) {
                    // the pipe was closed by the child's exit or an earlier call: nothing left to close
                }
            }
        }

        @Override
        public void signalled(int signal) {
            lastSignal = signal;
            // a descendant may hold the pipes open after the child dies: watch the child itself from now on
            startProbing();
        }
    }
}
