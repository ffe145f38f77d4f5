package dev.procflux.internal;

import dev.procflux.Command;
import dev.procflux.ExitStatus;
import dev.procflux.ProcessOutcome;
import dev.procflux.ProcessOutputOverflowException;
import dev.procflux.ProcessPoolClosedException;
import dev.procflux.ProcessStartException;
import dev.procflux.ProcessTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * One execution of a command, from slot acquisition to the slot's release: launch, output, stdin, timeout, kill
 * and exactly one terminal signal to its {@link RunOutput}.
 *
 * <p>The slot is released only once the process is gone (or was never started), never merely on cancel: that is
 * what keeps the number of live processes at or below {@code maxConcurrency}.
 *
 * <p>Killing the tree ({@link TreeKiller}) runs on the engine's {@link KillQueue}: {@link #cancel()},
 * {@link #close()} and the other reasons to kill only record the reason and queue the kill, whichever thread they
 * come from.
 */
final class ProcessRun implements ProcessListener {
    /** Why procflux is killing the process; the first reason wins. */
    enum Cause { NONE, TIMEOUT, CANCEL, OVERFLOW, CLOSE, STDIN_ERROR }

    private final RunContext context;
    private final Command command;
    private final RunOutput output;
    private final AtomicReference<Cause> cause = new AtomicReference<>(Cause.NONE);
    private final AtomicBoolean killed = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    // the slot release, set once the slot is granted (acquisition thread), run once by finish()
    private final AtomicReference<@Nullable Runnable> releaseSlot = new AtomicReference<>();
    private volatile @Nullable Disposable acquisition;
    private volatile @Nullable LaunchedProcess process;
    private volatile @Nullable Disposable timeoutTask;
    private volatile boolean exited;
    private volatile @Nullable Runnable finishHook;
    private volatile long startNanos;
    // stdin bytes still to write; read and advanced only on the NuProcess I/O thread
    private final @Nullable ByteBuffer stdin;
    private final @Nullable StdinPump stdinPump;
    private volatile @Nullable Throwable stdinError;
    // pause state for backpressure; written under pauseLock so a SIGSTOP and a SIGCONT never cross, volatile for
    // isPaused()
    private final Object pauseLock = new Object();
    private volatile boolean paused;

    ProcessRun(RunContext context, Command command, RunOutput output) {
        this.context = context;
        this.command = command;
        this.output = output;
        this.stdin = command.stdin().orElse(null);
        this.stdinPump = command.stdinPublisher()
                .map(source -> new StdinPump(source, this, context.deliveryScheduler())).orElse(null);
    }

    /** The error of a run the closed engine never started. */
    static ProcessPoolClosedException closedError(Command command) {
        return new ProcessPoolClosedException("engine closed: '" + command.commandLine() + "' was not run", null);
    }

    /** The error of a run the engine's close killed; {@code status} is how the process ended. */
    static ProcessPoolClosedException closedError(Command command, ExitStatus status) {
        return new ProcessPoolClosedException("engine closed: '" + command.commandLine() + "' was killed, ended with "
                + status, null, status);
    }

    Command command() {
        return command;
    }

    /** Runs {@code hook} after the slot is released, before the output is signalled. */
    void onFinish(Runnable hook) {
        this.finishHook = hook;
    }

    void acquisition(Disposable acquisition) {
        this.acquisition = acquisition;
    }

    /** The slot is ours: launch on the launch scheduler (launching blocks, never on an event loop). */
    void slotGranted(Runnable release) {
        releaseSlot.set(release);
        if (finished.get()) {
            // finished (cancelled) while the slot was on its way: finish() may have missed it, hand it back here
            Runnable r = releaseSlot.getAndSet(null);
            if (r != null) {
                r.run();
            }
            return;
        }
        if (cause.get() != Cause.NONE) {
            finishWithoutProcess(cause.get() == Cause.CLOSE ? closedError(command) : null);
            return;
        }
        context.launchScheduler().schedule(this::launch);
    }

    /** No slot was granted: overloaded, timed out, closed. */
    void slotRefused(Throwable error) {
        finishWithoutProcess(error);
    }

    private void launch() {
        if (cause.get() != Cause.NONE) {
            finishWithoutProcess(cause.get() == Cause.CLOSE ? closedError(command) : null);
            return;
        }
        LaunchedProcess p;
        try {
            startNanos = System.nanoTime();
            p = context.launcher().launch(command, this);
        }
        catch (ProcessStartException e) {
            context.events().startFailed(command);
            finishWithoutProcess(e);
            return;
        }
        catch (RuntimeException e) {
            context.events().startFailed(command);
            finishWithoutProcess(new ProcessStartException(ProcessStartException.Reason.LAUNCH_FAILED,
                    command.commandLine(), "cannot start '" + command.commandLine() + "': " + e, e));
            return;
        }
        process = p;
        context.events().started(command, p.pid());
        if (stdinPump != null) {
            stdinPump.start(p);
        }
        Duration timeout = command.timeout().orElse(null);
        if (timeout != null && !exited) {
            timeoutTask = context.timeoutClock()
                    .schedule(() -> kill(Cause.TIMEOUT), timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        // a cancel or close that raced with the launch saw no process to kill: kill it now
        if (cause.get() != Cause.NONE) {
            killTree();
        }
    }

    /** Subscriber cancelled. */
    void cancel() {
        kill(Cause.CANCEL);
    }

    /** Engine closing. */
    void close() {
        kill(Cause.CLOSE);
    }

    private void kill(Cause why) {
        if (finished.get() || !cause.compareAndSet(Cause.NONE, why)) {
            return;
        }
        Disposable a = acquisition;
        if (process == null) {
            if (releaseSlot.get() == null && a != null) {
                // still waiting for a slot: leave the queue; the pool hands back a slot granted meanwhile
                a.dispose();
                finishWithoutProcess(why == Cause.CLOSE ? closedError(command) : null);
            }
            // else: launch() is about to run or running; it sees the cause and kills or skips
            return;
        }
        killTree();
    }

    /** The stdin publisher failed: the process cannot get its input, kill it and report that error. */
    void stdinFailed(Throwable error) {
        stdinError = error;
        kill(Cause.STDIN_ERROR);
    }

    /**
     * Backpressure: stop the process tree (SIGSTOP) until {@link #resume()}. I/O thread.
     *
     * @return whether this call paused it (false: already paused, not running, or being killed)
     */
    boolean pause() {
        synchronized (pauseLock) {
            LaunchedProcess p = process;
            if (paused || p == null || exited || killed.get()) {
                return false;
            }
            paused = true;
            ProcessTree.signalTree(p.pid(), Posix.SIGSTOP);
        }
        context.events().paused();
        return true;
    }

    /**
     * Backpressure: continue a paused process tree (SIGCONT). Delivery thread.
     *
     * @return whether this call resumed it (false when it was not paused)
     */
    boolean resume() {
        synchronized (pauseLock) {
            LaunchedProcess p = process;
            if (!paused || p == null) {
                return false;
            }
            paused = false;
            ProcessTree.signalTree(p.pid(), Posix.SIGCONT);
            return true;
        }
    }

    /** @return the stdout pipe's capacity after asking for {@code bytes}, or -1 when refused or not running */
    int resizeStdoutPipe(int bytes) {
        LaunchedProcess p = process;
        return p == null || exited ? -1 : p.resizeStdoutPipe(bytes);
    }

    /** @return the real stdout pipe, when the output reads it itself and the launcher gave it; else null */
    @Nullable DirectStdout directStdout() {
        LaunchedProcess p = process;
        return p == null ? null : p.directStdout();
    }

    /** @return whether procflux is killing the process (its output is no longer wanted) */
    boolean isBeingKilled() {
        return cause.get() != Cause.NONE;
    }

    /** @return whether backpressure holds the process stopped now */
    boolean isPaused() {
        return paused;
    }

    private void killTree() {
        LaunchedProcess p = process;
        if (p == null || exited) {
            return;
        }
        // under pauseLock: a backpressure SIGSTOP in flight must land before the kill's SIGCONT, never after it
        // (a tree stopped after its SIGTERM would only die at the forced SIGKILL, a grace period later)
        synchronized (pauseLock) {
            if (!killed.compareAndSet(false, true)) {
                return;
            }
        }
        // The caller may be an event loop (a cancel), the timer, the NuProcess I/O thread (an overflow) or the closing
        // thread: the freeze, the listing and the signals run on a kill thread instead. The slot stays held meanwhile;
        // onExit releases it once the process is gone.
        // counted from here, on the asking thread: the run may end (its root dying of the SIGTERM) long before the
        // kill, and the engine is closed only once both have
        Runnable done = context.kills().treeKillStarted();
        context.kills().submit(() -> {
            if (exited) {
                done.run();
                return; // gone and reaped meanwhile: its pid may be another process's by now
            }
            try {
                context.events().killed(command, p.pid(), false);
                TreeKiller.kill(p, context.killGracePeriod(), context.timerScheduler(), context.kills(),
                        () -> exited, () -> context.events().killed(command, p.pid(), true), done);
            }
            catch (RuntimeException e) {
                done.run();
                throw e;
            }
        });
    }

    // ---- ProcessListener: output callbacks run on the NuProcess I/O thread

    @Override
    public void onStart(LaunchedProcess launched) {
        // before the first stdin or output callback: launch() assigns it again only after launch returns
        process = launched;
        // here, not after launch() returns: the output may already be flowing by then, and the start must come first
        output.started(launched.pid());
    }

    @Override
    public boolean wantsDirectStdout() {
        return output.wantsDirectStdout();
    }

    @Override
    public void onStdout(ByteBuffer buffer) {
        if (cause.get() != Cause.NONE) {
            buffer.position(buffer.limit()); // being killed: nobody will read it
            return;
        }
        if (!output.onStdout(buffer)) {
            kill(Cause.OVERFLOW);
        }
    }

    @Override
    public void onStdout(ByteBuffer first, ByteBuffer second) {
        if (cause.get() != Cause.NONE) {
            first.position(first.limit());
            second.position(second.limit());
            return;
        }
        if (!output.onStdout(first, second)) {
            kill(Cause.OVERFLOW);
        }
    }

    @Override
    public int stdoutReadAhead(int pending) {
        return cause.get() != Cause.NONE ? 0 : output.stdoutReadAhead(pending);
    }

    @Override
    public void onStderr(ByteBuffer buffer) {
        if (cause.get() != Cause.NONE) {
            buffer.position(buffer.limit());
            return;
        }
        if (!output.onStderr(buffer)) {
            kill(Cause.OVERFLOW);
        }
    }

    @Override
    public boolean onStdinReady(ByteBuffer buffer) {
        if (stdinPump != null) {
            return stdinPump.fill(buffer);
        }
        ByteBuffer in = stdin;
        LaunchedProcess p = process;
        if (in == null || p == null) {
            return false;
        }
        Buffers.transfer(in, buffer);
        buffer.flip();
        if (in.hasRemaining()) {
            return true;
        }
        p.closeStdin();
        return false;
    }

    @Override
    public void onExit(ExitStatus status) {
        exited = true;
        Disposable t = timeoutTask;
        if (t != null) {
            t.dispose();
        }
        long duration = System.nanoTime() - startNanos;
        LaunchedProcess p = process;
        long pid = p == null ? -1 : p.pid();
        context.events().exited();
        Cause why = cause.get();
        switch (why) {
            case NONE:
                context.events().outcome(command, status.isSuccess() ? ProcessOutcome.SUCCEEDED : ProcessOutcome.FAILED, duration);
                finish(() -> output.complete(pid, status, duration));
                break;
            case TIMEOUT:
                context.events().outcome(command, ProcessOutcome.TIMED_OUT, duration);
                finish(() -> output.fail(new ProcessTimeoutException(command.commandLine(),
                        ProcessTimeoutException.Phase.RUN, command.timeout().orElse(Duration.ZERO), status)));
                break;
            case OVERFLOW:
                context.events().outcome(command, ProcessOutcome.FAILED, duration);
                finish(() -> output.fail(new ProcessOutputOverflowException(command.commandLine(),
                        output.overflowLimit(), output.overflowMessage())));
                break;
            case CLOSE:
                context.events().outcome(command, ProcessOutcome.CANCELLED, duration);
                finish(() -> output.fail(closedError(command, status)));
                break;
            case STDIN_ERROR:
                context.events().outcome(command, ProcessOutcome.FAILED, duration);
                Throwable error = stdinError;
                finish(() -> output.fail(error != null ? error : new IllegalStateException("stdin failed")));
                break;
            default:
                context.events().outcome(command, ProcessOutcome.CANCELLED, duration);
                finish(() -> { });
        }
    }

    private void finishWithoutProcess(@Nullable Throwable error) {
        finish(() -> {
            if (error != null) {
                output.fail(error);
            }
        });
    }

    /** Releases the slot first, so that work chained on the result finds it free, then signals the output. */
    private void finish(Runnable signal) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        if (stdinPump != null) {
            stdinPump.cancel();
        }
        Runnable release = releaseSlot.getAndSet(null);
        if (release != null) {
            release.run();
        }
        context.done().accept(this);
        Runnable hook = finishHook;
        if (hook != null) {
            hook.run();
        }
        signal.run();
    }
}
