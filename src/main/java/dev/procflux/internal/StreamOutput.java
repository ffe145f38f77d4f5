package dev.procflux.internal;

import dev.procflux.BackpressurePolicy;
import dev.procflux.Command;
import dev.procflux.EngineOptions;
import dev.procflux.ExitStatus;
import dev.procflux.ProcessOutput;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;

/**
 * The subscription of one {@code stream(cmd)} subscriber: output chunks are queued on the NuProcess I/O thread and
 * delivered on a worker of the delivery scheduler as the subscriber requests them.
 *
 * <p>The queue is bounded in bytes, not elements: a subscriber that lags by more than {@code maxBufferedBytes}
 * makes {@link #onStdout} return false, and the run kills the process and fails. Errors are delivered at once,
 * ahead of queued chunks (a subscriber that requests nothing must still learn of the overflow).
 */
final class StreamOutput implements RunOutput, Subscription {
    private static final int READ_SIZE = 64 * 1024;
    private static final int STOP_SLACK = 16 * 1024;

    private final Command command;
    private final long maxBufferedBytes;
    // backpressure marks; pauseAt is 0 under BackpressurePolicy.FAIL (never pause)
    private final long pauseAt;
    private final long resumeAt;
    private final DefaultProcessEngine engine;
    private final CoreSubscriber<? super ProcessOutput> actual;
    private final Scheduler.Worker worker;
    private final boolean reportsStart;
    // the caller's start callback; null once called, or when there is none. Read and cleared only by the drain loop
    private @Nullable LongConsumer onStart;
    // the process id once the process runs, -1 before; written once on the launching thread before any output
    private volatile long startedPid = -1;
    private final Queue<ProcessOutput> queue = new ConcurrentLinkedQueue<>();
    // added on the I/O thread when a chunk is queued, subtracted on the worker when it is delivered
    private final AtomicLong buffered = new AtomicLong();
    // outstanding demand; CAS via REQUESTED
    private volatile long requested;
    private static final AtomicLongFieldUpdater<StreamOutput> REQUESTED =
            AtomicLongFieldUpdater.newUpdater(StreamOutput.class, "requested");
    // drain-loop guard: only the thread that moves it from 0 schedules the drain
    private final AtomicInteger wip = new AtomicInteger();
    private volatile @Nullable ProcessRun run;
    private volatile boolean done;
    private volatile @Nullable Throwable error;
    private volatile boolean cancelled;
    // written only by the drain loop
    private boolean terminated;

    StreamOutput(Command command, DefaultProcessEngine engine, CoreSubscriber<? super ProcessOutput> actual,
            @Nullable LongConsumer onStart) {
        EngineOptions options = engine.options();
        Scheduler delivery = options.deliveryScheduler();
        this.command = command;
        this.engine = engine;
        this.maxBufferedBytes = options.maxBufferedBytes();
        // Pause while one more read (64 KiB) still fits under the high-water mark: after SIGSTOP the pipe can still
        // hold 64 KiB, plus what a write in progress pushes before the stop lands (a few pages, seen up to 8 KiB)
        this.pauseAt = options.backpressure() == BackpressurePolicy.PAUSE
                ? options.highWaterBytes() - READ_SIZE - STOP_SLACK : 0;
        this.resumeAt = options.lowWaterBytes();
        this.actual = actual;
        this.onStart = onStart;
        this.reportsStart = onStart != null;
        this.worker = delivery.createWorker();
    }

    void attach(ProcessRun run) {
        this.run = run;
        if (cancelled) {
            run.cancel();
        }
    }

    @Override
    public void started(long pid) {
        startedPid = pid;
        if (reportsStart) {
            drain(); // the caller hears of the start even if the process stays quiet
        }
    }

    @Override
    public boolean onStdout(ByteBuffer buffer) {
        return emit(buffer, true);
    }

    @Override
    public boolean onStderr(ByteBuffer buffer) {
        return emit(buffer, false);
    }

    private boolean emit(ByteBuffer buffer, boolean stdout) {
        int n = buffer.remaining();
        if (buffered.get() + n > maxBufferedBytes) {
            buffer.position(buffer.limit());
            return false;
        }
        // NuProcess reuses this buffer after we return, so the bytes must be copied here
        byte[] bytes = new byte[n];
        buffer.get(bytes);
        long now = buffered.addAndGet(n);
        engine.observeBuffered(now);
        queue.offer(stdout ? ProcessOutput.stdout(bytes, command.charset())
                : ProcessOutput.stderr(bytes, command.charset()));
        if (pauseAt > 0 && now > pauseAt) {
            ProcessRun r = run;
            if (r != null) {
                r.pause();
                // the subscriber may have drained everything between our count and the SIGSTOP, finding nothing
                // paused to resume; with nothing left to deliver, nobody else would ever continue the process
                if (buffered.get() <= resumeAt) {
                    r.resume();
                }
            }
        }
        drain();
        return true;
    }

    long bufferedBytes() {
        return buffered.get();
    }

    @Override
    public String overflowMessage() {
        return "'" + command.commandLine() + "' output overflow: the subscriber lagged by more than maxBufferedBytes="
                + maxBufferedBytes + " bytes; process tree killed";
    }

    @Override
    public long overflowLimit() {
        return maxBufferedBytes;
    }

    @Override
    public void complete(long pid, ExitStatus status, long durationNanos) {
        queue.offer(ProcessOutput.exit(status));
        done = true;
        drain();
    }

    @Override
    public void fail(Throwable e) {
        error = e;
        done = true;
        drain();
    }

    @Override
    public void request(long n) {
        if (Operators.validate(n)) {
            Operators.addCap(REQUESTED, this, n);
            drain();
        }
    }

    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            ProcessRun r = run;
            if (r != null) {
                r.cancel();
            }
            drain();
        }
    }

    private void drain() {
        if (wip.getAndIncrement() == 0) {
            worker.schedule(this::drainLoop);
        }
    }

    private void drainLoop() {
        int missed = 1;
        while (true) {
            if (terminated) {
                discard();
                return;
            }
            LongConsumer callback = onStart;
            if (callback != null && startedPid >= 0 && !cancelled && !reportStart(callback)) {
                return;
            }
            long r = requested;
            long e = 0;
            while (e != r) {
                if (checkTerminated()) {
                    return;
                }
                ProcessOutput o = queue.poll();
                if (o == null) {
                    break;
                }
                buffered.addAndGet(-o.size());
                actual.onNext(o);
                e++;
            }
            if (checkTerminated()) {
                return;
            }
            if (e != 0) {
                Operators.produced(REQUESTED, this, e);
            }
            // Checked on every pass, not only after delivering: emit() queues a chunk, then pauses, then calls
            // drain(). A pass running in between can deliver that chunk and find nothing to resume; the pause then
            // lands on an empty queue, and only this pass (guaranteed by that drain() call) can undo it. Skipping
            // it when e == 0 left a fast subscriber waiting forever on a stopped process. resume() is a no-op
            // unless paused.
            ProcessRun run = this.run;
            if (pauseAt > 0 && run != null && buffered.get() <= resumeAt) {
                run.resume();
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /**
     * Calls the start callback, ahead of every element: the pid is written before the first output is queued, so a
     * pass that finds output also finds the pid. A callback that throws ends the run like a cancel, with its error.
     *
     * @return false when the callback threw and the subscriber got its error
     */
    private boolean reportStart(LongConsumer callback) {
        onStart = null;
        try {
            callback.accept(startedPid);
            return true;
        }
        catch (Throwable e) {
            Exceptions.throwIfFatal(e);
            cancelled = true; // from here on the run's signals are dropped, as after the subscriber's cancel
            ProcessRun r = run;
            if (r != null) {
                r.cancel();
            }
            finishDrain();
            actual.onError(e);
            return false;
        }
    }

    private boolean checkTerminated() {
        if (cancelled) {
            finishDrain();
            return true;
        }
        Throwable err = error;
        if (err != null) {
            finishDrain();
            actual.onError(err);
            return true;
        }
        if (done && queue.isEmpty()) {
            finishDrain();
            actual.onComplete();
            return true;
        }
        return false;
    }

    private void finishDrain() {
        terminated = true;
        discard();
        worker.dispose();
    }

    private void discard() {
        ProcessOutput o;
        while ((o = queue.poll()) != null) {
            buffered.addAndGet(-o.size());
        }
    }
}
