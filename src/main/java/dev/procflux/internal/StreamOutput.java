package dev.procflux.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.procflux.BackpressurePolicy;
import dev.procflux.Command;
import dev.procflux.EngineOptions;
import dev.procflux.ExitStatus;
import dev.procflux.ProcessOutput;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
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
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The subscription of one {@code stream(cmd)} subscriber: output chunks are queued on the NuProcess I/O thread and
 * delivered on the delivery scheduler as the subscriber requests them.
 *
 * <p>The queue is bounded in bytes, not elements: a subscriber that lags by more than {@code maxBufferedBytes}
 * makes {@link #onStdout} return false, and the run kills the process and fails. Errors are delivered at once,
 * ahead of queued chunks (a subscriber that requests nothing must still learn of the overflow).
 *
 * <p>Under {@link BackpressurePolicy#PAUSE} the process is paused at the stream's adaptive high-water mark
 * ({@link StreamMarks}); past half the engine's budget (queued output plus the streams' reserves) also when it
 * holds more than two full pipes and its subscriber asks for nothing, and past the budget itself at every read; while the engine is over its
 * budget, a paused process resumes only once its queue is empty. The stream reserves {@link StreamMarks#reserve} of
 * its stdout pipe from its process's start to its finish (while it waits for a slot it has no process and holds
 * nothing; see {@link DefaultProcessEngine#reserved()}), and keeps the pipe every stream that may run at once may
 * have ({@link StreamMarks#fairPipe}).
 *
 * <p>Streams share the delivery scheduler's threads in turns, so that equal subscribers get equal shares of them.
 * One run of the drain loop delivers at most {@link #TURN_BYTES} (at least one chunk) while the drain of another
 * stream waits, then schedules itself again behind it: otherwise a stream whose subscriber asks again while its run
 * is delivering (a fast client whose socket takes each frame at once) and whose process keeps writing would hold
 * its thread for as long as that lasts. And each run is scheduled on the scheduler, not on a worker of it taken for
 * the stream's life: a scheduler spreads such tasks over all its threads, so a stream does not inherit the share of
 * the one thread it was given (how many streams that thread serves, how much CPU it gets). Runs never overlap:
 * only the run in progress, or the signal that finds none, schedules the next.
 *
 * <p><b>Direct reads</b> ({@code directReads}, under {@code PAUSE}, on Linux): the drain loop reads stdout itself
 * ({@link DirectStdout}) when its subscriber has demand and nothing else is queued, and delivers each read as one
 * chunk; stdout bytes are never queued. A read that finds the pipe empty arms the pipe's readiness, whose event
 * schedules the drain again. Without demand nothing reads, so the child blocks in {@code write} once its pipe is full:
 * the marks, the pauses and the budget then concern stderr only. The exit is delivered after stdout's end-of-file.
 * Once the stream has ended (cancel, error), what stdout still carries is read and dropped until its end, as NuProcess
 * does on the other path, so the pipe closes (and the tree killer sees it close) only when no process holds it. The
 * pipe starts at {@link StreamMarks#PIPE_SIZE} (or the fair pipe when smaller) and grows only while the child stays a
 * whole pipe ahead of a subscriber that keeps asking ({@code growDirectPipe}); at a stall it shrinks back when Linux
 * lets it ({@code directStalled}), and otherwise keeps what it had.
 */
final class StreamOutput implements RunOutput, Subscription {
    /** What one run of the drain loop delivers before it lets a waiting stream's drain go first. */
    static final int TURN_BYTES = StreamMarks.READ_SIZE;
    /** The most one direct read of stdout takes: each read is one chunk. */
    static final int DIRECT_READ = StreamMarks.READ_SIZE;
    /**
     * The largest stdout pipe a direct stream grows to, at most the engine's fair pipe
     * ({@link DefaultProcessEngine#fairPipe}); it starts at {@link StreamMarks#PIPE_SIZE}.
     */
    static final int DIRECT_PIPE = StreamMarks.MAX_PIPE;
    /** What one task of an ended stream's discarding reads before it lets other tasks go first. */
    private static final int DISCARD_TURN = 4 * StreamMarks.MAX_PIPE;
    private static final int PAGE = 4096;
    private static final Logger log = Loggers.getLogger(StreamOutput.class);
    // One direct-read buffer per delivery thread, used only within one read and its copy. Page-aligned: a pipe read
    // into a buffer 16 bytes into a page costs about 1.7x the CPU (jmh ReadAlignment)
    private static final ThreadLocal<Pointer> DIRECT_BUFFER =
            ThreadLocal.withInitial(() -> new Memory(DIRECT_READ + PAGE).align(PAGE));
    private final Command command;
    private final long maxBufferedBytes;
    // the adaptive marks; null under BackpressurePolicy.FAIL (never pause)
    private final @Nullable StreamMarks marks;
    private final DefaultProcessEngine engine;
    private final CoreSubscriber<? super ProcessOutput> actual;
    private final Scheduler delivery;
    private final boolean reportsStart;
    // whether this stream asks to read stdout itself: directReads under PAUSE, where direct reads are supported
    private final boolean wantsDirect;
    // the real stdout pipe of a stream that reads it itself; written once in started(), on the launching thread,
    // before NuProcess reads anything of the process; null on the NuProcess path
    private volatile @Nullable DirectStdout direct;
    // the direct stdout pipe reached its end (or failed) and is closed; written and read only by the drain loop
    private boolean stdoutEnded;
    // a direct stream's exit, held until stdout's end was delivered; written by complete(), taken by the drain loop
    private volatile @Nullable ProcessOutput exit;
    // the caller's start callback; null once called, or when there is none. Read and cleared only by the drain loop
    private @Nullable LongConsumer onStart;
    // the process id once the process runs, -1 before; written once on the launching thread before any output
    private volatile long startedPid = -1;
    private final Queue<ProcessOutput> queue = new ConcurrentLinkedQueue<>();
    // added on the I/O thread when a chunk is queued, subtracted by the drain loop when it is delivered
    private final AtomicLong buffered = new AtomicLong();
    // chunks queued so far; written only on the I/O thread (one per process), read by the drain loop
    private volatile long emitted;
    // the value of emitted when the drain loop last resumed the process, -1 when no resume awaits its refill;
    // written only by the drain loop
    private long resumedAt = -1;
    // guards the stdout pipe's resizes and this stream's reserve: taken by the launching thread at the start, by the
    // drain loop and by the run's finish
    private final Object pipeLock = new Object();
    // the stdout pipe's capacity; written under pipeLock (raised before the pipe grows and lowered after it shrinks,
    // so the I/O thread never pauses later than the pipe allows), read by the I/O thread
    private volatile int pipeSize = StreamMarks.PIPE_SIZE;
    // this stream's part of the engine's reserve, from its process's start on; guarded by pipeLock
    private long reserved;
    // the process started and this stream counts itself among the engine's started streams; guarded by pipeLock
    private boolean holding;
    // the part of the reserve that reached the queue since the process was paused: the engine counts only
    // reserved - arrived, so bytes a paused child's pipe still delivers are not counted twice; guarded by pipeLock
    private long arrived;
    // the run finished: nothing is reserved any more; guarded by pipeLock
    private boolean finished;
    // the pipe could not be grown (pipe-max-size, or no pipe to grow): do not ask again; drain loop only
    private boolean pipeRefused;
    // a direct stream's stdout pipe capacity as last set; written by the launching thread before it publishes
    // direct, then only by the drain loop
    private int directPipe;
    // the bytes of the direct reads that came back full since a read last found the pipe holding less than a read
    // (or the subscriber last stalled): a pipe's worth means the child stayed a whole pipe ahead; drain loop only
    private long directAhead;
    // shrinking the direct pipe was refused (it held more than the smaller size): not asked again before a read
    // finds it holding less than a read; drain loop only
    private boolean directShrinkRefused;
    // outstanding demand; CAS via REQUESTED
    private volatile long requested;
    private static final AtomicLongFieldUpdater<StreamOutput> REQUESTED =
            AtomicLongFieldUpdater.newUpdater(StreamOutput.class, "requested");
    // drain-loop guard: only the thread that moves it from 0 schedules the drain; a run that ends its turn keeps it
    // above 0 and schedules the next run itself
    private final AtomicInteger wip = new AtomicInteger();
    // a run of the drain loop is in progress: one started inside it (a scheduler that runs tasks on the caller's
    // thread) never ends its turn, so the nesting stays one deep. Written only by the drain loop
    private volatile boolean draining;
    private volatile @Nullable ProcessRun run;
    private volatile boolean done;
    private volatile @Nullable Throwable error;
    private volatile boolean cancelled;
    // written only by the drain loop
    private boolean terminated;
    // set by the drain loop when it ends for good (its last pass never decrements wip, so no later drain() runs);
    // read by the I/O thread, which then releases what it queued itself
    private volatile boolean drainEnded;

    StreamOutput(Command command, DefaultProcessEngine engine, CoreSubscriber<? super ProcessOutput> actual,
            @Nullable LongConsumer onStart) {
        EngineOptions options = engine.options();
        this.command = command;
        this.engine = engine;
        this.maxBufferedBytes = options.maxBufferedBytes();
        this.marks = options.backpressure() == BackpressurePolicy.PAUSE
                ? new StreamMarks(options.highWaterBytes(), options.lowWaterBytes()) : null;
        this.actual = actual;
        this.onStart = onStart;
        this.reportsStart = onStart != null;
        this.delivery = options.deliveryScheduler();
        this.wantsDirect = options.directReads() && marks != null && DirectStdout.isSupported();
    }

    @Override
    public boolean wantsDirectStdout() {
        return wantsDirect;
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
        ProcessRun r = run;
        DirectStdout d = r == null ? null : r.directStdout();
        if (d != null) {
            startDirect(d);
            return;
        }
        if (marks != null && r != null) {
            synchronized (pipeLock) {
                // NuProcess reads the pipe only after this returns: a child that wrote at most the fair pipe by now
                // gets it before its first read. One that wrote more gets the smallest pipe that holds what it wrote
                // (Linux refuses less); over the budget, one that filled half its pipe already is stopped before
                // that first read, so the read empties the pipe, and the drain loop's pass after it shrinks it
                int fair = engine.fairPipe();
                if (!finished && fair < pipeSize) {
                    boolean shrunk = false;
                    for (int size = fair; size < pipeSize && !shrunk; size *= 2) {
                        int now = r.resizeStdoutPipe(size);
                        if (now > 0) {
                            pipeSize = now;
                            shrunk = true;
                        }
                    }
                    if (!shrunk && engine.isOverBudget() && r.pause()) {
                        engine.budgetPaused();
                    }
                }
                if (!finished) {
                    // counted before the stream counts as started: the engine stops counting the floor of the slot
                    // it took only once this reserve is in
                    reserve(pipeSize);
                    holding = true;
                    engine.streamsStarted(1);
                }
            }
        }
        if (reportsStart) {
            drain(); // the caller hears of the start even if the process stays quiet
        }
    }

    /**
     * Launching thread: the stream reads stdout itself from now on. Its pipe starts at the default size, or the
     * engine's fair pipe when that is smaller (kernel memory, not heap: the stream reserves nothing of the budget for
     * stdout, which it never queues), and the stream counts as started.
     */
    private void startDirect(DirectStdout d) {
        // a refusal (the child wrote more than the fair pipe already, the user's pipe pages) leaves the pipe as it is
        int size = d.resize(Math.min(StreamMarks.PIPE_SIZE, engine.fairPipe()));
        directPipe = size > 0 ? size : Math.max(d.capacity(), StreamMarks.PAGE_PIPE);
        direct = d; // publishes directPipe to the drain loop
        d.onReady(this::stdoutReady);
        synchronized (pipeLock) {
            if (!finished) {
                holding = true;
                engine.streamsStarted(1);
            }
        }
        if (drainEnded) {
            stdoutReady(); // ended while it started: only the discarding is left
        }
        else {
            drain(); // a pass that ran before this saw no pipe to read
        }
    }

    /**
     * The poller thread: the direct pipe is readable (or hung up). Only hands work on: to the drain while the stream
     * lives, to the discarding once it ended.
     */
    private void stdoutReady() {
        if (!drainEnded) {
            drain();
            return;
        }
        try {
            delivery.schedule(this::discardStdout);
        }
        catch (RejectedExecutionException e) {
            // the delivery scheduler is gone: drop the rest here (bounded, no user code), or the pipe stays open
            discardStdout();
        }
    }

    /**
     * The stream ended: reads and drops what the direct pipe holds, up to {@link #DISCARD_TURN} at a time, and closes
     * it at its end; until then it waits for readiness again. The pipe thus closes only when no process holds it any
     * more, as on the NuProcess path, which a tree kill relies on to find an escaped holder.
     */
    private void discardStdout() {
        DirectStdout d = direct;
        if (d == null) {
            return;
        }
        Pointer buffer = DIRECT_BUFFER.get();
        long dropped = 0;
        while (true) {
            int n = d.read(buffer, DIRECT_READ);
            if (n > 0) {
                dropped += n;
                if (dropped >= DISCARD_TURN) {
                    stdoutReady(); // behind the tasks that wait
                    return;
                }
            }
            else if (n == -1) {
                d.arm();
                return;
            }
            else {
                d.close();
                return;
            }
        }
    }

    /**
     * Drain loop, with demand and nothing queued: one read of the direct pipe.
     *
     * @return the chunk read; or the exit, once stdout ended; or null when there is nothing now (then readiness is
     *         armed, or the process is being killed and its output no longer wanted, or the exit has not come yet)
     */
    private @Nullable ProcessOutput readStdout(DirectStdout d, boolean demandLeft) {
        if (stdoutEnded) {
            ProcessOutput o = exit;
            exit = null;
            return o;
        }
        ProcessRun r = run;
        if (r != null && r.isBeingKilled()) {
            return null; // dropped as on the NuProcess path; the stream's end discards it
        }
        Pointer buffer = DIRECT_BUFFER.get();
        int n = d.read(buffer, DIRECT_READ);
        if (n == DIRECT_READ) {
            directAhead += n;
            if (demandLeft && directAhead >= directPipe && directPipe < DIRECT_PIPE && !pipeRefused) {
                growDirectPipe(d);
            }
        }
        else if (n > 0 || n == -1) {
            directAhead = 0;
            directShrinkRefused = false;
            if (directPipe > StreamMarks.PIPE_SIZE) {
                // the pipe holds less than a read now: a shrink to a smaller fair pipe can succeed
                shrinkDirectPipe(d, engine.fairPipe());
            }
        }
        if (n > 0) {
            // the buffer is reused at the next read, so the bytes are copied out here
            byte[] bytes = new byte[n];
            buffer.read(0, bytes, 0, n);
            return ProcessOutput.stdout(bytes, command.charset());
        }
        if (n == -1) {
            d.arm();
            return null;
        }
        if (n < -1) {
            log.warn("'{}': reading stdout failed with errno {}; taken as its end", command.commandLine(), -2 - n);
        }
        stdoutEnded = true;
        d.close(); // NuProcess's stdout hangs up now: the exit follows
        ProcessOutput o = exit;
        exit = null;
        return o;
    }

    @Override
    public boolean onStdout(ByteBuffer buffer) {
        return emit(buffer, null, true);
    }

    @Override
    public boolean onStdout(ByteBuffer first, ByteBuffer second) {
        return emit(first, second, true);
    }

    /**
     * Reads ahead only after a full NuProcess read of a grown pipe, and only as far as the queue may grow without
     * pausing (under {@code PAUSE}) or overflowing (under {@code FAIL}), and the engine's queued output without
     * passing its budget, so every bound holds as if NuProcess had delivered the same bytes in several callbacks;
     * at most {@link StreamMarks#MAX_CHUNK} per chunk.
     */
    @Override
    public int stdoutReadAhead(int pending) {
        // a NuProcess read that returned less than it asked for emptied the pipe, and a full read of a pipe of the
        // default size took about all it held: another read would mostly find nothing and cost a system call
        if (pending < StreamMarks.READ_SIZE || pipeSize <= StreamMarks.PIPE_SIZE || cancelled || done) {
            return 0;
        }
        long queued = buffered.get() + pending;
        StreamMarks m = marks;
        long room = m == null ? maxBufferedBytes - queued : StreamMarks.pauseAt(m.mark(), pipeSize) - queued;
        room = Math.min(room, engine.budgetRoom() - pending);
        return (int) Math.max(0, Math.min(StreamMarks.MAX_CHUNK - pending, room));
    }

    @Override
    public boolean onStderr(ByteBuffer buffer) {
        return emit(buffer, null, false);
    }

    /** I/O thread: queues {@code buffer} and then {@code more} (when given) as one chunk. */
    private boolean emit(ByteBuffer buffer, @Nullable ByteBuffer more, boolean stdout) {
        int first = buffer.remaining();
        int n = more == null ? first : first + more.remaining();
        if (buffered.get() + n > maxBufferedBytes) {
            buffer.position(buffer.limit());
            if (more != null) {
                more.position(more.limit());
            }
            return false;
        }
        // NuProcess reuses this buffer after we return, so the bytes must be copied here
        byte[] bytes = new byte[n];
        buffer.get(bytes, 0, first);
        if (more != null) {
            more.get(bytes, first, n - first);
        }
        long now = buffered.addAndGet(n);
        long total = engine.addBuffered(n);
        engine.observeBuffered(now);
        ProcessRun paused = run;
        if (marks != null && paused != null && paused.isPaused()) {
            arrivedWhilePaused(paused, n);
        }
        // counted before the offer: a drain pass that finds the queue empty and this count unchanged since its
        // resume knows no chunk of the resumed process reached the queue yet
        emitted = emitted + 1;
        queue.offer(stdout ? ProcessOutput.stdout(bytes, command.charset())
                : ProcessOutput.stderr(bytes, command.charset()));
        StreamMarks m = marks;
        if (m != null) {
            long mark = m.mark();
            boolean overMark = now > StreamMarks.pauseAt(mark, pipeSize);
            // past the soft limit, a stream holding the most whose subscriber asks for nothing now pauses; one
            // whose subscriber still asks is only behind, and its queue is on its way out
            boolean overBudget = !overMark && (engine.isOverBudget(total) || StreamMarks.holdsTheMost(now, pipeSize)
                    && requested == 0 && engine.isOverSoftLimit(total));
            ProcessRun r = run;
            if ((overMark || overBudget) && r != null) {
                if (r.pause()) {
                    if (overBudget) {
                        engine.budgetPaused();
                    }
                    arrivedWhilePaused(r, n); // the read that decided the pause is the first part of the reserve
                }
                // the subscriber may have drained everything between our count and the SIGSTOP, finding nothing
                // paused to resume; with nothing left to deliver, nobody else would ever continue the process
                if (mayResume(m)) {
                    resume(r);
                }
            }
        }
        drain();
        if (drainEnded) {
            // output of a process that outlived its subscriber (read after the cancel, before the kill landed):
            // either this poll or the ended loop's own discard, which comes after its flag, releases the chunk, so
            // the engine's total returns to zero
            discard();
        }
        return true;
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
        if (direct != null) {
            exit = ProcessOutput.exit(status); // after all of stdout, which is not in the queue
        }
        else {
            queue.offer(ProcessOutput.exit(status));
        }
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
            scheduleDrain();
        }
    }

    private void scheduleDrain() {
        engine.drainScheduled();
        try {
            delivery.schedule(this::drainLoop);
        }
        catch (RuntimeException e) {
            engine.drainStarted(); // rejected: never waits for a thread
            throw e;
        }
    }

    private void drainLoop() {
        engine.drainStarted();
        boolean nested = draining;
        draining = true;
        try {
            drainTurn(!nested);
        }
        finally {
            if (!nested) {
                draining = false;
            }
        }
    }

    /**
     * Delivers what is queued, as far as the demand goes, in passes until no signal arrived during the last one,
     * or until {@link #TURN_BYTES} are delivered while another stream's drain waits: then the next run is scheduled
     * and {@code wip} stays above 0, so no signal is lost in between.
     *
     * @param mayYield false for a run nested in another one, which must not schedule a further one
     */
    private void drainTurn(boolean mayYield) {
        // a run scheduled by a run that ended its turn starts with wip >= 1: one pass more than needed at most
        int missed = 1;
        long turn = 0;
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
            boolean starved = false;
            boolean yielded = false;
            while (e != r) {
                if (checkTerminated()) {
                    return;
                }
                if (mayYield && turn >= TURN_BYTES && engine.hasWaitingDrains()) {
                    yielded = true;
                    break;
                }
                ProcessOutput o = queue.poll();
                boolean queued = o != null;
                DirectStdout d = direct;
                if (o == null && d != null) {
                    o = readStdout(d, r - e > 1);
                }
                if (o == null) {
                    starved = true; // demand left and nothing to deliver
                    break;
                }
                if (queued) {
                    release(o.size());
                }
                turn += o.size();
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
            StreamMarks m = marks;
            if (m != null && run != null) {
                adapt(m, run, starved);
            }
            if (yielded) {
                scheduleDrain(); // wip stays above 0: what is left is this stream's next turn
                return;
            }
            DirectStdout d = direct;
            if (d != null && !stdoutEnded && requested == 0) {
                directStalled(d);
                d.watchHangUp(); // nothing reads now: the child's end must still reach NuProcess
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
            if (mayYield && turn >= TURN_BYTES && engine.hasWaitingDrains()) {
                scheduleDrain(); // the signals that arrived during this turn are handled in the next
                return;
            }
        }
    }

    /**
     * Drain loop, after a read that came back full with demand left, once such reads took a whole pipe's worth: the
     * child stays a pipe ahead of a subscriber that keeps draining, so the pipe grows {@link StreamMarks#GROWTH}-fold,
     * up to {@link #DIRECT_PIPE} and the engine's fair pipe. A refused growth (pipe-max-size, the user's pipe pages)
     * is not asked again.
     */
    private void growDirectPipe(DirectStdout d) {
        int target = Math.min(Math.min(directPipe * StreamMarks.GROWTH, DIRECT_PIPE), engine.fairPipe());
        if (target <= directPipe) {
            directAhead = 0; // the fair pipe is reached: looked at again after another pipe's worth
            return;
        }
        int now = d.resize(target);
        if (now > 0) {
            directPipe = now;
            directAhead = 0;
        }
        else if (!d.isClosed()) {
            pipeRefused = true;
        }
    }

    /**
     * Drain loop: the subscriber asks for nothing at the end of a pass. The pipe shrinks back to the default size (or
     * the fair pipe when smaller). Linux refuses while the pipe holds more than that, which a stalled pipe's writer
     * soon makes it do: then the pipe stays as it is, and the shrink is asked again only after a read found the pipe
     * holding less than a read. Either way it does not grow before the subscriber drains a pipe's worth again.
     */
    private void directStalled(DirectStdout d) {
        directAhead = 0;
        if (!directShrinkRefused) {
            shrinkDirectPipe(d, Math.min(StreamMarks.PIPE_SIZE, engine.fairPipe()));
        }
    }

    /** Drain loop: sets the direct pipe to {@code target} when smaller; a refusal is remembered. */
    private void shrinkDirectPipe(DirectStdout d, int target) {
        if (target >= directPipe) {
            return;
        }
        int now = d.resize(target);
        if (now > 0) {
            directPipe = now;
        }
        else {
            directShrinkRefused = true;
        }
    }

    /**
     * Adjusts the mark to how the subscriber drains, then resumes the process if the queue is at or below the
     * resume mark. Runs on every drain pass, after the pass delivered what it could.
     */
    private void adapt(StreamMarks m, ProcessRun run, boolean starved) {
        if (starved) {
            long since = resumedAt;
            if (since >= 0) {
                resumedAt = -1;
                // nothing emitted since the resume, and the subscriber already wants more: the pause cost it time
                if (emitted == since && !engine.isOverSoftLimit() && engine.hasRoomForLargestMarks()) {
                    m.grow();
                }
            }
        }
        else if (requested == 0 && !queue.isEmpty() && run.isPaused()) {
            m.fallBack(); // the subscriber, not the process, holds the stream up
        }
        if (direct == null) {
            resizePipe(m, run); // a direct stream's pipe follows its reads instead (growDirectPipe, directStalled)
        }
        if (mayResume(m) && resume(run)) {
            resumedAt = emitted;
        }
    }

    /**
     * @return whether a paused process may continue: its queue is at or below the resume mark and, while the engine
     *         is over its budget, empty (so a stream adds at most its reserve while the budget is reached)
     */
    private boolean mayResume(StreamMarks m) {
        long held = buffered.get();
        return held <= m.resumeAt(m.mark()) && (held == 0 || !engine.isOverBudget());
    }

    /**
     * The stdout pipe follows the mark ({@link StreamMarks#pipeFor}) up to the pipe every running stream may have at
     * once ({@link DefaultProcessEngine#fairPipe}), growing only while the engine is within its budget; a refused
     * growth is not asked again. Shrinking fails while the pipe holds more than the new size, so it is retried on
     * later passes (a paused child's pipe empties into the queue).
     */
    private void resizePipe(StreamMarks m, ProcessRun run) {
        synchronized (pipeLock) {
            if (finished || !holding) {
                return; // no process yet: nothing to resize, nothing reserved
            }
            int size = pipeSize;
            int target = Math.min(StreamMarks.pipeFor(m.mark()), engine.fairPipe());
            if (target > size && !pipeRefused && !engine.isOverBudget()) {
                pipeSize = target;
                reserve(target);
                int now = run.resizeStdoutPipe(target);
                pipeRefused = now < target;
                pipeSize = now < target ? size : now;
                reserve(pipeSize);
            }
            else if (target < size) {
                int now = run.resizeStdoutPipe(target);
                if (now > 0) {
                    pipeSize = now;
                    reserve(now);
                }
            }
        }
    }

    /** Sets this stream's reserve to that of a pipe of {@code size}. Under pipeLock, before the finish. */
    private void reserve(int size) {
        long r = StreamMarks.reserve(size);
        long a = Math.min(arrived, r);
        engine.addReserved(r - a - (reserved - arrived));
        reserved = r;
        arrived = a;
    }

    /**
     * I/O thread: {@code n} bytes reached the queue while the process is paused (or decided its pause): they come
     * out of the reserve, which counted them already.
     */
    private void arrivedWhilePaused(ProcessRun run, int n) {
        synchronized (pipeLock) {
            if (!finished && run.isPaused()) {
                long used = Math.min(n, reserved - arrived);
                arrived += used;
                engine.addReserved(-used);
            }
        }
    }

    /**
     * Continues the process, then counts its whole reserve again (a pause in between only counts a read twice). The
     * signal is sent outside pipeLock, which the I/O thread takes.
     */
    private boolean resume(ProcessRun run) {
        if (!run.resume()) {
            return false;
        }
        synchronized (pipeLock) {
            if (!finished) {
                engine.addReserved(arrived);
                arrived = 0;
            }
        }
        return true;
    }

    /**
     * The run finished: its pipe is gone, and so is its reserve. A stream that never started (cancelled while it
     * waited for a slot, or whose start failed) took nothing and gives nothing back.
     */
    void finished() {
        synchronized (pipeLock) {
            finished = true;
            if (holding) {
                holding = false;
                engine.streamsStarted(-1); // before the reserve goes: for a moment both count, never neither
            }
            engine.addReserved(-(reserved - arrived));
            reserved = 0;
            arrived = 0;
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
        if (done && queue.isEmpty() && (direct == null || stdoutEnded && exit == null)) {
            finishDrain();
            actual.onComplete();
            return true;
        }
        return false;
    }

    private void finishDrain() {
        terminated = true;
        drainEnded = true;
        discard();
        if (direct != null && !stdoutEnded) {
            stdoutReady(); // the rest of stdout is dropped, and the pipe closed at its end
        }
    }

    private void discard() {
        ProcessOutput o;
        while ((o = queue.poll()) != null) {
            release(o.size());
        }
    }

    private void release(long n) {
        buffered.addAndGet(-n);
        engine.addBuffered(-n);
    }
}
