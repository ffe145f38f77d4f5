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
 * buffers are requested ahead, and one more only once the pipe has taken one, so a fast publisher never piles
 * bytes up in the heap. Requests are issued from a scheduler worker, never from the NuProcess I/O thread, so the
 * publisher's own code never runs there.
 */
final class StdinPump implements CoreSubscriber<ByteBuffer> {
    private static final int PREFETCH = 2;

    private final Publisher<ByteBuffer> source;
    private final ProcessRun run;
    private final Scheduler.Worker worker;
    private final Queue<ByteBuffer> queue = new ConcurrentLinkedQueue<>();
    private volatile @Nullable Subscription upstream;
    private volatile @Nullable LaunchedProcess process;
    private volatile boolean upstreamDone;
    private volatile boolean cancelled;
    // the buffer being written; read and advanced only on the NuProcess I/O thread
    private @Nullable ByteBuffer current;
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
        if (p != null && !cancelled) {
            p.wantWrite();
        }
    }

    /** NuProcess I/O thread: fill {@code buffer} from the queue. @return whether more writes are wanted now */
    boolean fill(ByteBuffer buffer) {
        int taken = 0;
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
        if (taken > 0) {
            requestMore(taken);
        }
        ByteBuffer c = current;
        boolean more = (c != null && c.hasRemaining()) || !queue.isEmpty();
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
