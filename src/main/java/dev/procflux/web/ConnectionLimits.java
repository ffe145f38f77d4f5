package dev.procflux.web;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Bounds what a client can hold without sending a complete request: the number of open connections, and the time
 * a request's line and headers may take to arrive. One instance per server; {@link #handler()} gives each
 * connection its own Netty handler, placed after the HTTP codec so that it sees whole request heads.
 *
 * <p>A connection beyond {@link #maxConnections()} gets {@code 503} with {@code Retry-After} and is closed; one
 * whose request head is not complete within the timeout (counted from the connection's start, or from the end of
 * the previous response on a kept-alive connection) gets {@code 408} and is closed. Thread-safe.
 */
final class ConnectionLimits {
    /** The least time between two log lines about aborted connections. */
    static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
    private static final Logger log = Loggers.getLogger(ActionServer.class);

    private final int maxConnections;
    private final Duration requestReadTimeout;
    /** Open connections of the server; incremented when one becomes active, decremented when it closes. */
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong aborted = new AtomicLong();
    /** Aborts not yet logged, and when the last log line was written: at most one line per {@link #LOG_INTERVAL}. */
    private final AtomicLong abortsUnlogged = new AtomicLong();
    private final AtomicLong lastAbortLogNanos = new AtomicLong(System.nanoTime() - LOG_INTERVAL.toNanos());
    /** The open connections, for a forced close once a graceful one has run out of time; removes closed ones. */
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    ConnectionLimits(int maxConnections, Duration requestReadTimeout) {
        this.maxConnections = maxConnections;
        this.requestReadTimeout = requestReadTimeout;
    }

    int maxConnections() {
        return maxConnections;
    }

    /** @return open connections now */
    int open() {
        return open.get();
    }

    /** @return connections refused because {@link #maxConnections()} were open */
    long refused() {
        return refused.get();
    }

    /** @return connections closed because their request head did not arrive in time */
    long timedOut() {
        return timedOut.get();
    }

    /** @return connections the client reset or broke off while sending a request */
    long aborted() {
        return aborted.get();
    }

    /**
     * Counts a connection the client broke off, and logs one line for all of them at most every
     * {@link #LOG_INTERVAL}: a flood of aborted connections must not become a flood of log lines.
     */
    private void clientAborted(Throwable cause) {
        aborted.incrementAndGet();
        abortsUnlogged.incrementAndGet();
        long now = System.nanoTime();
        long last = lastAbortLogNanos.get();
        if (now - last >= LOG_INTERVAL.toNanos() && lastAbortLogNanos.compareAndSet(last, now)) {
            long count = abortsUnlogged.getAndSet(0);
            log.info(count + " client connection" + (count == 1 ? "" : "s") + " aborted during a request since the "
                    + "last such line (at most one line every " + LOG_INTERVAL.toSeconds() + " s); last: "
                    + cause.getMessage());
        }
    }

    /**
     * Closes every open connection and waits up to {@code timeout} for them to close.
     *
     * @return whether they all closed in time
     */
    boolean closeAll(Duration timeout) {
        return channels.close().awaitUninterruptibly(timeout.toMillis());
    }

    ChannelDuplexHandler handler() {
        return new PerConnection();
    }

    private static FullHttpResponse answer(HttpResponseStatus status, String error, String message) {
        byte[] body = ("{\"status\":" + status.code() + ",\"error\":\"" + error + "\",\"message\":\"" + message
                + "\"}").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    /** One connection's state: touched only on its event loop. */
    private final class PerConnection extends ChannelDuplexHandler {
        private boolean counted;
        private boolean refusedHere;
        private @Nullable ScheduledFuture<?> deadline;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            if (ctx.channel().isActive()) {
                start(ctx);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            start(ctx);
            if (!refusedHere) {
                ctx.fireChannelActive();
            }
        }

        private void start(ChannelHandlerContext ctx) {
            if (counted) {
                return;
            }
            counted = true;
            channels.add(ctx.channel());
            if (open.incrementAndGet() > maxConnections) {
                refusedHere = true;
                refused.incrementAndGet();
                FullHttpResponse busy = answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "too-many-connections",
                        "the server has " + maxConnections + " connections open, its limit; retry later");
                busy.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
                answerAndClose(ctx, busy);
                return;
            }
            arm(ctx);
        }

        private void arm(ChannelHandlerContext ctx) {
            disarm();
            deadline = ctx.executor().schedule(() -> {
                deadline = null;
                if (ctx.channel().isActive()) {
                    timedOut.incrementAndGet();
                    refusedHere = true;
                    answerAndClose(ctx, answer(HttpResponseStatus.REQUEST_TIMEOUT, "request-timeout",
                            "the request line and headers did not arrive within " + requestReadTimeout.toMillis()
                                    + " ms"));
                }
            }, requestReadTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        /**
         * Sends {@code response}, then half-closes and discards what the client still sends for up to a second
         * before closing: closing with unread bytes in the receive buffer would reset the connection, and the
         * reset can destroy the answer before the client reads it.
         */
        private void answerAndClose(ChannelHandlerContext ctx, FullHttpResponse response) {
            ctx.writeAndFlush(response).addListener(f -> {
                if (ctx.channel() instanceof DuplexChannel duplex && f.isSuccess()) {
                    duplex.shutdownOutput();
                    ctx.channel().config().setAutoRead(true);
                    ctx.executor().schedule(() -> ctx.close(), 1, TimeUnit.SECONDS);
                }
                else {
                    ctx.close();
                }
            });
        }

        private void disarm() {
            ScheduledFuture<?> d = deadline;
            if (d != null) {
                d.cancel(false);
                deadline = null;
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (refusedHere) {
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest request) {
                disarm();
                if (request.decoderResult().isFailure() && !ctx.channel().isActive()) {
                    // the rest of a request whose client reset the connection: nobody to answer, counted already
                    io.netty.util.ReferenceCountUtil.release(msg);
                    return;
                }
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof java.io.IOException) {
                // reset or broken pipe: the client is gone; closing ends its request, whose process tree is killed
                clientAborted(cause);
                ctx.close();
                return;
            }
            ctx.fireExceptionCaught(cause);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof LastHttpContent && !refusedHere) {
                // the next request on a kept-alive connection gets the same time for its head
                promise.addListener(f -> {
                    if (ctx.channel().isActive()) {
                        arm(ctx);
                    }
                });
            }
            ctx.write(msg, promise);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            disarm();
            if (counted) {
                counted = false;
                open.decrementAndGet();
            }
            ctx.fireChannelInactive();
        }
    }
}
