package dev.procflux.internal;

import dev.procflux.ExitStatus;
import dev.procflux.ProcessTimeoutException;
import dev.procflux.WorkerCrashedException;
import dev.procflux.WorkerProtocol;
import dev.procflux.WorkerProtocolException;
import dev.procflux.WorkerRestartCause;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * One worker process of a {@link DefaultWorkerPool}: writes one request at a time to its stdin (which stays open),
 * decodes its stdout into replies and matches them to the request in flight.
 *
 * <p>Threading: NuProcess callbacks only copy bytes and hand them to {@link #serial}, a worker of the delivery
 * scheduler that runs tasks one at a time in order. Decoding (protocol code), reply matching, exit handling and
 * delivery to subscribers all run there, never on the shared I/O thread.
 */
final class WorkerProcess<I, O> implements ProcessListener {
    private static final Logger log = Loggers.getLogger(WorkerProcess.class);
    private static final int STDERR_TAIL_BYTES = 4096;

    /** One request in flight. */
    private static final class Call<I, O> {
        final I request;
        final MonoSink<O> sink;
        // exactly-once guard between reply, crash, timeout and cancel
        final AtomicBoolean done = new AtomicBoolean();
        // set by the subscribing thread before the request is written; disposed by whoever finishes the call
        volatile @Nullable Disposable timeout;

        Call(I request, MonoSink<O> sink) {
            this.request = request;
            this.sink = sink;
        }
    }

    private final WorkerContext context;
    private final WorkerProtocol<I, O> protocol;
    // used only on the serial worker
    private final WorkerProtocol.Decoder<O> decoder;
    private final Scheduler.Worker serial;
    // appended on the I/O thread, read for error messages on other threads: guarded by itself
    private final TailBuffer stderr = new TailBuffer(STDERR_TAIL_BYTES);
    private final long lifetimeLimitMillis;
    // first cause wins (CAS); read by the pool's eviction predicate and release
    private final AtomicReference<@Nullable WorkerRestartCause> retireCause = new AtomicReference<>();
    private final AtomicReference<@Nullable Call<I, O>> current = new AtomicReference<>();
    // killed: procflux decided to kill it; signalled: the kill was actually sent (at most once)
    private final AtomicBoolean killed = new AtomicBoolean();
    private final AtomicBoolean signalled = new AtomicBoolean();
    private final AtomicInteger served = new AtomicInteger();
    // set once by the launching thread, right after the launch
    private volatile @Nullable LaunchedProcess process;
    // the request bytes not yet handed to NuProcess: set by the calling thread before wantWrite(), consumed and
    // cleared on the I/O thread; a new request is set only when no call is in flight
    private volatile @Nullable ByteBuffer writing;
    // set on the I/O (or exit-probe) thread when the exit is reported
    private volatile boolean exited;
    // written on the serial worker
    private volatile boolean exitHandled;
    private volatile @Nullable ExitStatus exitStatus;
    private volatile boolean answered;
    // when the worker last finished a request (or was launched): the health check's idle clock
    private volatile long lastActiveNanos = System.nanoTime();

    WorkerProcess(WorkerContext context, WorkerProtocol<I, O> protocol, long lifetimeLimitMillis) {
        this.context = context;
        this.protocol = protocol;
        this.decoder = protocol.newDecoder();
        this.serial = context.deliveryScheduler().createWorker();
        this.lifetimeLimitMillis = lifetimeLimitMillis;
    }

    void launched(LaunchedProcess p) {
        process = p;
        // a close() that ran during the launch found no process to kill
        if (killed.get()) {
            signal(p);
        }
    }

    long pid() {
        LaunchedProcess p = process;
        return p == null ? -1 : p.pid();
    }

    int served() {
        return served.get();
    }

    long lifetimeLimitMillis() {
        return lifetimeLimitMillis;
    }

    long idleNanos() {
        return current.get() == null ? System.nanoTime() - lastActiveNanos : 0;
    }

    boolean hasExited() {
        return exited;
    }

    @Nullable WorkerRestartCause retireCause() {
        return retireCause.get();
    }

    void retire(WorkerRestartCause cause) {
        retireCause.compareAndSet(null, cause);
    }

    /** Called when a lease ends: a request still in flight was abandoned, so the worker may still answer it. */
    void leaseEnded() {
        Call<I, O> c = current.get();
        if (c != null && finish(c)) {
            retire(WorkerRestartCause.CANCELLED);
        }
    }

    // ---- requests

    Mono<O> send(I request, ByteBuffer bytes) {
        return Mono.create(sink -> {
            Call<I, O> c = new Call<>(request, sink);
            if (!current.compareAndSet(null, c)) {
                // refused without touching the call in flight or the worker, which stays healthy
                IllegalStateException busy = new IllegalStateException("worker (pid " + pid() + ") is already "
                        + "handling a request: a worker takes one request at a time, compose calls in sequence");
                context.deliveryScheduler().schedule(() -> sink.error(busy));
                return;
            }
            sink.onCancel(() -> cancelled(c));
            if (exitHandled) {
                // died between the lease and this call: handleExit has run and will not see this call
                if (finish(c)) {
                    context.events().failed();
                    context.deliveryScheduler().schedule(() -> sink.error(crashed("before the request was sent")));
                }
                return;
            }
            WorkerRestartCause cause = retireCause.get();
            if (cause != null) {
                if (finish(c)) {
                    context.deliveryScheduler().schedule(() -> sink.error(new IllegalStateException(
                            "worker (pid " + pid() + ") was retired (" + cause + ") and takes no more requests")));
                }
                return;
            }
            Duration timeout = context.requestTimeout();
            if (!timeout.isNegative()) {
                c.timeout = context.timerScheduler()
                        .schedule(() -> timedOut(c, timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
            }
            writing = bytes;
            LaunchedProcess p = process;
            if (p != null) {
                try {
                    p.wantWrite();
                }
                catch (IllegalStateException stdinClosed) {
                    // NuProcess closed stdin because the worker is exiting (or being killed): handleExit fails
                    // this call, since it either runs after current was set or ran before and was seen above
                    log.debug("worker (pid {}) stdin already closed: {}", p.pid(), stdinClosed.getMessage());
                }
            }
        });
    }

    /** Marks {@code c} finished exactly once and clears it as the call in flight. */
    private boolean finish(Call<I, O> c) {
        if (!c.done.compareAndSet(false, true)) {
            return false;
        }
        current.compareAndSet(c, null);
        lastActiveNanos = System.nanoTime();
        Disposable t = c.timeout;
        if (t != null) {
            t.dispose();
        }
        return true;
    }

    private void cancelled(Call<I, O> c) {
        if (finish(c)) {
            // the request may already be in the worker: its reply must never reach the next caller
            retire(WorkerRestartCause.CANCELLED);
            kill();
        }
    }

    /** On the timer. */
    private void timedOut(Call<I, O> c, Duration timeout) {
        if (!finish(c)) {
            return;
        }
        retire(WorkerRestartCause.TIMEOUT);
        context.events().failed();
        kill();
        ProcessTimeoutException error = new ProcessTimeoutException(context.commandLine(),
                ProcessTimeoutException.Phase.RUN, timeout);
        context.deliveryScheduler().schedule(() -> c.sink.error(error));
    }

    // ---- ProcessListener: these run on the NuProcess I/O thread (onExit possibly on the timer)

    @Override
    public void onStdout(ByteBuffer buffer) {
        if (killed.get()) {
            buffer.position(buffer.limit()); // being killed: nobody will read it
            return;
        }
        // NuProcess reuses the buffer once we return: copy here
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        serial.schedule(() -> onChunk(chunk));
    }

    @Override
    public void onStderr(ByteBuffer buffer) {
        synchronized (stderr) {
            stderr.append(buffer);
        }
    }

    @Override
    public boolean onStdinReady(ByteBuffer buffer) {
        ByteBuffer in = writing;
        if (in == null) {
            buffer.flip(); // nothing to write (the launcher asks once at start to keep stdin open)
            return false;
        }
        Buffers.transfer(in, buffer);
        buffer.flip();
        if (in.hasRemaining()) {
            return true;
        }
        writing = null;
        return false;
    }

    @Override
    public void onExit(ExitStatus status) {
        exited = true;
        serial.schedule(() -> handleExit(status));
    }

    // ---- on the serial worker

    private void onChunk(byte[] chunk) {
        if (killed.get() || exitHandled) {
            return;
        }
        List<O> replies = new ArrayList<>(1);
        try {
            decoder.decode(ByteBuffer.wrap(chunk), replies::add);
        }
        catch (RuntimeException e) {
            protocolError("malformed reply: " + e.getMessage(), e);
            return;
        }
        if (replies.isEmpty()) {
            return;
        }
        Call<I, O> c = current.get();
        if (c == null) {
            protocolError("unexpected reply while no request was in flight", null);
            return;
        }
        if (replies.size() > 1) {
            protocolError(replies.size() + " replies to one request", null);
            return;
        }
        if (writing != null) {
            protocolError("replied before reading the whole request", null);
            return;
        }
        O reply = replies.get(0);
        try {
            protocol.verify(c.request, reply);
        }
        catch (RuntimeException e) {
            protocolError(String.valueOf(e.getMessage()), e);
            return;
        }
        if (!finish(c)) {
            return; // timed out or cancelled meanwhile: the worker is retired, the reply is dropped
        }
        served.incrementAndGet();
        if (!answered) {
            answered = true;
            context.events().startSucceeded();
        }
        context.events().succeeded();
        c.sink.success(reply);
    }

    private void protocolError(String problem, @Nullable Throwable cause) {
        retire(WorkerRestartCause.PROTOCOL_ERROR);
        Call<I, O> c = current.get();
        if (c != null && finish(c)) {
            context.events().failed();
            kill();
            c.sink.error(new WorkerProtocolException(context.commandLine(), pid(), problem, cause));
        }
        else {
            kill(); // idle: its pool entry is evicted when next looked at
        }
    }

    private void handleExit(ExitStatus status) {
        exitStatus = status;
        exitHandled = true;
        boolean ourKill = killed.get();
        if (!ourKill) {
            retire(WorkerRestartCause.CRASH);
        }
        boolean startFailure = !answered && !ourKill && !context.closed().getAsBoolean();
        Call<I, O> c = current.get();
        WorkerCrashedException crash = crashed(startFailure ? "before answering its first request"
                : "while handling a request");
        if (startFailure) {
            context.events().startFailed(crash);
        }
        if (c != null && finish(c)) {
            context.events().failed();
            c.sink.error(context.closed().getAsBoolean() ? context.closedError("the request in flight was aborted") : crash);
        }
        context.gone().accept(this);
        serial.dispose();
    }

    private WorkerCrashedException crashed(String when) {
        ExitStatus s = exitStatus;
        String tail;
        synchronized (stderr) {
            tail = stderr.text(StandardCharsets.UTF_8);
        }
        return new WorkerCrashedException(context.commandLine(), pid(), s == null ? ExitStatus.exited(255) : s, tail,
                when, null);
    }

    // ---- killing

    /** Closes stdin and kills the process tree (SIGTERM, grace, SIGKILL). Idempotent. */
    void kill() {
        if (!killed.compareAndSet(false, true)) {
            return;
        }
        LaunchedProcess p = process;
        if (p != null) {
            signal(p);
        }
    }

    private void signal(LaunchedProcess p) {
        if (!signalled.compareAndSet(false, true) || exited) {
            return;
        }
        // on a kill thread: the caller may be a cancelling event loop, the timer or the pool's destroy handler
        // counted from here: the pool is closed only once the kill has ended, which may be after the worker's exit
        Runnable done = context.kills().treeKillStarted();
        context.kills().submit(() -> {
            if (exited) {
                done.run();
                return; // gone and reaped meanwhile: its pid may be another process's by now
            }
            try {
                TreeKiller.kill(p, context.killGracePeriod(), context.timerScheduler(), context.kills(),
                        () -> exited, () -> log.debug("worker (pid {}) survived SIGTERM for {}: sent SIGKILL",
                                p.pid(), context.killGracePeriod()), done);
                // only once the tree is frozen and signalled: a worker that ends at end-of-input would otherwise
                // exit before the freeze, and its children, re-parented to init, would be out of the kill's reach
                p.closeStdin();
            }
            catch (RuntimeException e) {
                done.run();
                throw e;
            }
        });
    }

    /** The launch failed: no callbacks will come. */
    void launchFailed() {
        serial.dispose();
    }
}
