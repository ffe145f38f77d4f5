package dev.procflux.web;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Hands a response's frames to the HTTP server only while the frames handed before have mostly reached the
 * socket, so that a client that stops reading holds at most {@link #windowBytes()} plus one frame, and at most
 * {@link #MAX_FRAMES} frames, in the server, whatever the server's own prefetch is.
 *
 * <p>Reactor Netty's sender asks its source for a fixed number of messages ahead and writes them to the channel
 * without regard to its writability; Netty's outbound buffer then holds them until the socket takes them. Bounded
 * by that count alone, it holds about 6 MB for a stalled reader of a {@code yes}-like stream. With this window a frame is asked for from
 * the encoder only while the bytes and frames of this response that the server holds are below the window.
 *
 * <p>"Held" means: handed to the server and not yet released by it. On a Netty server a frame is a direct buffer
 * whose release Netty signals once the socket has taken its last byte (or the connection failed), so the count
 * covers Reactor Netty's queues and Netty's outbound buffer; handlers that consume a buffer earlier (compression)
 * end its count earlier. Direct, because Netty's socket channels (epoll and NIO alike) copy a heap buffer into a
 * direct one as it is written and release the heap buffer there, long before the socket takes the bytes: counted
 * that way, Netty's outbound buffer would hold megabytes for a slow client while the window showed nothing. Other servers (Servlet containers) get plain buffers and no window: their adapters write
 * one buffer at a time as the container becomes ready.
 *
 * <p>Thread-safe: one instance serves every response of a route set and sums their bytes.
 */
final class SendWindow {
    /** Bytes one response may have handed to the server beyond the socket before its next frame waits. */
    static final int DEFAULT_WINDOW_BYTES = 64 * 1024;
    /**
     * Frames one response may have handed to the server beyond the socket before its next frame waits: Netty keeps
     * about 1 KB of objects per message it holds (outbound entries, promises, chunk headers), which small frames
     * would otherwise multiply.
     */
    static final int MAX_FRAMES = 16;

    private final int windowBytes;
    /** Bytes handed to the server and not yet released, all responses together. */
    private final AtomicLong bufferedBytes = new AtomicLong();

    SendWindow(int windowBytes) {
        if (windowBytes < 1) {
            throw new IllegalArgumentException("windowBytes must be >= 1, was " + windowBytes);
        }
        this.windowBytes = windowBytes;
    }

    /** @return the window of one response, in bytes */
    int windowBytes() {
        return windowBytes;
    }

    /** @return the bytes of all responses that the server holds now: handed to it, not yet taken by a socket */
    long bufferedBytes() {
        return bufferedBytes.get();
    }

    /**
     * {@code frames} as buffers of {@code factory}, asked for one at a time while this response's held bytes are
     * below the window. Cancelling cancels {@code frames}; frames already handed over stay counted until the
     * server releases them.
     */
    Flux<DataBuffer> buffers(Flux<byte[]> frames, DataBufferFactory factory) {
        if (!(factory instanceof NettyDataBufferFactory netty)) {
            return frames.map(factory::wrap);
        }
        return new Flux<>() {
            @Override
            public void subscribe(CoreSubscriber<? super DataBuffer> actual) {
                frames.subscribe(new Gate(actual, netty));
            }
        };
    }

    /** The window of one response. */
    private final class Gate implements CoreSubscriber<byte[]>, Subscription {
        private final CoreSubscriber<? super DataBuffer> actual;
        private final NettyDataBufferFactory factory;
        // set once in onSubscribe, before any other signal
        private @Nullable Subscription upstream;
        // CAS via REQUESTED: downstream demand not yet met
        volatile long requested;
        // CAS via HELD: bytes of this response handed to the server and not yet released
        volatile long held;
        // CAS via FRAMES: frames of this response handed to the server and not yet released
        volatile int frames;
        // written in drain (under WIP) when a frame is asked for, and in onNext when it arrives
        private volatile boolean asked;
        private volatile boolean cancelled;
        // CAS via WIP: serializes drain; the count of drains missed while one ran
        volatile int wip;

        Gate(CoreSubscriber<? super DataBuffer> actual, NettyDataBufferFactory factory) {
            this.actual = actual;
            this.factory = factory;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                actual.onSubscribe(this);
            }
        }

        @Override
        public void onNext(byte[] frame) {
            HELD.addAndGet(this, frame.length);
            FRAMES.incrementAndGet(this);
            bufferedBytes.addAndGet(frame.length);
            DataBuffer buffer = factory.wrap(new CountedBuf(frame, this));
            asked = false;
            if (requested != Long.MAX_VALUE) {
                REQUESTED.decrementAndGet(this);
            }
            actual.onNext(buffer);
            drain();
        }

        @Override
        public void onError(Throwable t) {
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            actual.onComplete();
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
            cancelled = true;
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
        }

        /** Called by Netty's release of a frame, on any thread. */
        void released(int bytes) {
            HELD.addAndGet(this, -bytes);
            FRAMES.decrementAndGet(this);
            bufferedBytes.addAndGet(-bytes);
            drain();
        }

        private void drain() {
            if (WIP.getAndIncrement(this) != 0) {
                return;
            }
            int missed = 1;
            do {
                Subscription s = upstream;
                if (s != null && !cancelled && !asked && requested > 0 && held < windowBytes
                        && frames < MAX_FRAMES) {
                    // set before the request: the frame may arrive synchronously inside it
                    asked = true;
                    s.request(1);
                }
                missed = WIP.addAndGet(this, -missed);
            }
            while (missed != 0);
        }
    }

    private static final AtomicLongFieldUpdater<Gate> REQUESTED =
            AtomicLongFieldUpdater.newUpdater(Gate.class, "requested");
    private static final AtomicLongFieldUpdater<Gate> HELD = AtomicLongFieldUpdater.newUpdater(Gate.class, "held");
    private static final AtomicIntegerFieldUpdater<Gate> FRAMES =
            AtomicIntegerFieldUpdater.newUpdater(Gate.class, "frames");
    private static final AtomicIntegerFieldUpdater<Gate> WIP =
            AtomicIntegerFieldUpdater.newUpdater(Gate.class, "wip");

    /** A frame in direct memory that tells its gate when Netty has released it. */
    private static final class CountedBuf extends UnpooledDirectByteBuf {
        private final Gate gate;
        private final int length;

        CountedBuf(byte[] frame, Gate gate) {
            super(UnpooledByteBufAllocator.DEFAULT, frame.length, frame.length);
            writeBytes(frame);
            this.gate = gate;
            this.length = frame.length;
        }

        @Override
        protected void deallocate() {
            super.deallocate();
            gate.released(length);
        }
    }
}
