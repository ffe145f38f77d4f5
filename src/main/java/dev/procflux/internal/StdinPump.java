package dev.procflux.internal;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;

/**
 * Streams a {@code Publisher<ByteBuffer>} into a process's stdin with backpressure: at most {@link #PREFETCH}
 * buffers are requested ahead, and more only once the pipe has taken {@link #REPLENISH} of them, so a fast publisher
 * never piles bytes up in the heap, and the hop to the worker that requests them is paid once per
 * {@link #REPLENISH} buffers. Requests are issued from a scheduler worker, never from the NuProcess I/O thread, so
 * the publisher's own code never runs there.
 */
final class StdinPump implements CoreSubscriber<ByteBuffer> {
    static final int PREFETCH = 8;
    static final int REPLENISH = PREFETCH / 2;
    static final int STDIN_PIPE = 256 * 1024;

    private final Publisher<ByteBuffer> source;
    private final ProcessRun run;
    private final Scheduler.Worker worker;
    private final Queue<ByteBuffer> queue = new ConcurrentLinkedQueue<>();
    private volatile @Nullable Subscription upstream;
    private volatile @Nullable LaunchedProcess process;
    private volatile boolean upstreamDone;
    private volatile boolean cancelled;
    // whether a write is wanted (wantWrite called, or fill() asked for more); set by onNext and fill(), cleared only
    // by fill() before it looks at the queue a last time, so an offer after that look always sees it cleared
    private volatile boolean armed;
    // the buffer being written; read and advanced only on the NuProcess I/O thread
    private @Nullable ByteBuffer current;
    // buffers the pipe took since the last request; I/O thread only
    private int taken;
    private boolean closed;

    StdinPump(Publisher<ByteBuffer> source, ProcessRun run, Scheduler scheduler) {
        this.source = source;
        this.run = run;
        this.worker = scheduler.createWorker();
    }

    /**
     * Subscribes to the source once the process exists, from the pump's worker: the source's own code (opening a
     * file, say) must never run on the launch thread, which every engine of the JVM shares.
     */
    void start(LaunchedProcess launched) {
        this.process = launched;
        launched.resizeStdinPipe(STDIN_PIPE);
        if (cancelled) {
            return; // the run already ended (a process that died at once): never subscribe to the source
        }
        try {
            worker.schedule(() -> source.subscribe(this));
        }
        catch (RejectedExecutionException ended) {
            // cancel() disposed the worker between the check and the schedule: same as above
        }
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (Operators.validate(upstream, s)) {
            upstream = s;
            if (cancelled) {
                s.cancel();
                return;
            }
            s.request(PREFETCH);
        }
    }

    @Override
    public void onNext(ByteBuffer buffer) {
        // a duplicate, so the caller's buffer position is left alone
        queue.offer(buffer.duplicate());
        wakeWriter();
    }

    @Override
    public void onError(Throwable error) {
        upstreamDone = true;
        run.stdinFailed(error);
    }

    @Override
    public void onComplete() {
        upstreamDone = true;
        wakeWriter();
    }

    private void wakeWriter() {
        LaunchedProcess p = process;
        if (p != null && !cancelled && !armed) {
            armed = true;
            p.wantWrite();
        }
    }

    /** NuProcess I/O thread: fill {@code buffer} from the queue. @return whether more writes are wanted now */
    boolean fill(ByteBuffer buffer) {
        while (buffer.hasRemaining()) {
            ByteBuffer c = current;
            if (c == null || !c.hasRemaining()) {
                c = queue.poll();
                current = c;
                if (c == null) {
                    break;
                }
                taken++;
            }
            Buffers.transfer(c, buffer);
        }
        buffer.flip();
        if (taken >= REPLENISH) {
            requestMore(taken);
            taken = 0;
        }
        ByteBuffer c = current;
        boolean more = (c != null && c.hasRemaining()) || !queue.isEmpty();
        if (!more) {
            armed = false;
            // an onNext that saw armed still set offered before this look, so the look finds its buffer
            more = !queue.isEmpty();
        }
        if (more) {
            armed = true;
        }
        if (!more && upstreamDone && !closed) {
            closed = true;
            LaunchedProcess p = process;
            if (p != null) {
                p.closeStdin();
            }
        }
        return more;
    }

    private void requestMore(int n) {
        Subscription s = upstream;
        if (s != null && !upstreamDone) {
            worker.schedule(() -> s.request(n));
        }
    }

    /** The process is gone or being killed: stop the source. */
    void cancel() {
        cancelled = true;
        Subscription s = upstream;
        if (s != null && !upstreamDone) {
            s.cancel();
        }
        queue.clear();
        worker.dispose();
    }
}
