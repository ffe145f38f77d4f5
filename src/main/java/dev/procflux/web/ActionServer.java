package dev.procflux.web;

import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Routes served on Reactor Netty without Spring Boot: what {@code procflux serve} runs.
 *
 * <pre>{@code
 * try (ActionServer server = ActionServer.start(ActionRoutes.builder(engine, registry).build(), "127.0.0.1", 0)) {
 *     System.out.println("listening on " + server.url());
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops accepting connections and closes the open ones, which cancels their
 * streams and so kills their process trees; it does not close the engine.
 */
public final class ActionServer implements AutoCloseable {
    /** The default of {@link Builder#sendBufferBytes(int)}. */
    static final int DEFAULT_SEND_BUFFER_BYTES = 256 * 1024;
    /** The smallest {@link Builder#sendBufferBytes(int)}: Linux gives no less (it would round a smaller value up). */
    static final int MIN_SEND_BUFFER_BYTES = 4096;
    private final DisposableServer server;
    private final ConnectionLimits limits;
    private final Requests requests;

    private ActionServer(DisposableServer server, ConnectionLimits limits, Requests requests) {
        this.server = server;
        this.limits = limits;
        this.requests = requests;
    }

    /** The requests in progress, counted so that a drain can wait for them. */
    private static final class Requests {
        // guarded by this
        private int inProgress;

        synchronized void started() {
            inProgress++;
        }

        synchronized void ended() {
            if (--inProgress == 0) {
                notifyAll();
            }
        }

        synchronized int inProgress() {
            return inProgress;
        }

        /** @return whether none was in progress before {@code timeout} passed */
        synchronized boolean awaitNone(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (inProgress > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /**
     * Binds {@code host:port} and serves {@code routes} with the default limits of {@link Builder}; returns once
     * the socket is bound. Blocks the caller for the bind: call it from a thread that may block (a {@code main}
     * thread), not from an event loop.
     *
     * @param routes the routes, e.g. from {@link ActionRoutes}
     * @param host the address to bind, e.g. {@code 127.0.0.1}; binding a non-loopback address exposes the actions
     *        to the network, so protect them with {@link ActionRoutes.Builder#bearerToken(String)}
     * @param port the port, or 0 for an ephemeral one (see {@link #port()})
     * @return the running server
     * @throws IllegalArgumentException if {@code port} is outside 0..65535
     * @throws RuntimeException if the address cannot be bound (in use, not local, not permitted)
     */
    public static ActionServer start(RouterFunction<ServerResponse> routes, String host, int port) {
        return builder(routes).host(host).port(port).start();
    }

    /**
     * Starts configuring a server for {@code routes}.
     *
     * @param routes the routes, e.g. from {@link ActionRoutes}
     * @return a builder with the defaults: {@code 127.0.0.1}, port 8080, the limits described on its setters
     */
    public static Builder builder(RouterFunction<ServerResponse> routes) {
        return new Builder(routes);
    }

    /**
     * Configures an {@link ActionServer}: where it listens and what a client may hold. Not thread-safe: configure
     * on one thread, then call {@link #start()}.
     */
    public static final class Builder {
        private final RouterFunction<ServerResponse> routes;
        private String host = "127.0.0.1";
        private int port = 8080;
        private int maxConnections = 1024;
        private Duration requestReadTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private int sendBufferBytes = DEFAULT_SEND_BUFFER_BYTES;
        private boolean accessLog;

        private Builder(RouterFunction<ServerResponse> routes) {
            this.routes = Objects.requireNonNull(routes, "routes");
        }

        /**
         * The address to bind. Default {@code 127.0.0.1}. Binding a non-loopback address exposes the actions to
         * the network, so protect them with {@link ActionRoutes.Builder#bearerToken(String)}.
         *
         * @param value a host name or IP address
         * @return this builder
         */
        public Builder host(String value) {
            this.host = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * The port. Default 8080.
         *
         * @param value 0..65535; 0 for an ephemeral one (see {@link ActionServer#port()})
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is outside 0..65535
         */
        public Builder port(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, was " + value);
            }
            this.port = value;
            return this;
        }

        /**
         * The most connections open at once; a connection beyond it is answered {@code 503} with
         * {@code Retry-After} and closed. Default 1024.
         *
         * @param value at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is below 1
         */
        public Builder maxConnections(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxConnections must be >= 1, was " + value);
            }
            this.maxConnections = value;
            return this;
        }

        /**
         * How long a request's line and headers may take to arrive, from the connection's start or from the end
         * of the previous response on a kept-alive connection; then the client gets {@code 408} and the connection
         * is closed. Bodies are not counted: a stream's stdin may take as long as its action's timeout. Default 10
         * seconds.
         *
         * @param value a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is zero or negative
         */
        public Builder requestReadTimeout(Duration value) {
            Objects.requireNonNull(value, "value");
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException("requestReadTimeout must be positive, was " + value);
            }
            this.requestReadTimeout = value;
            return this;
        }

        /**
         * How long a kept-alive connection may wait, without a request, before it is closed. Default 60 seconds.
         *
         * @param value a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is zero or negative
         */
        public Builder idleTimeout(Duration value) {
            Objects.requireNonNull(value, "value");
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException("idleTimeout must be positive, was " + value);
            }
            this.idleTimeout = value;
            return this;
        }

        /**
         * The kernel's send buffer of each connection ({@code SO_SNDBUF}). Default 256 KiB; a negative value leaves
         * it to the kernel, which grows it with the connection's throughput (Linux: up to the maximum of
         * {@code net.ipv4.tcp_wmem}, 4 MiB by default).
         *
         * <p>The server writes a stream's frames into this buffer as fast as it can encode them until it is full,
         * however slowly the client reads, and only then does the stream's backpressure hold its process. Grown by
         * the kernel, that is about 4 MiB per slow client: kernel memory, and CPU taken from the fast clients while
         * it fills. A fixed buffer bounds both, and also what one connection carries per round trip: 256 KiB
         * (Linux doubles it for its own overhead) allows about 5 MB/s at a round trip of 100 ms.
         *
         * @param value at least 4096 bytes, or negative for the kernel's own sizing
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is 0..4095
         */
        public Builder sendBufferBytes(int value) {
            if (value >= 0 && value < MIN_SEND_BUFFER_BYTES) {
                throw new IllegalArgumentException("sendBufferBytes must be >= " + MIN_SEND_BUFFER_BYTES
                        + " or negative (the kernel's own sizing), was " + value);
            }
            this.sendBufferBytes = value;
            return this;
        }

        /**
         * Whether each request is logged in Reactor Netty's access log (logger
         * {@code reactor.netty.http.server.AccessLog}, level INFO, Common Log Format). Default {@code false}.
         *
         * @param value whether to log
         * @return this builder
         */
        public Builder accessLog(boolean value) {
            this.accessLog = value;
            return this;
        }

        /**
         * Binds and serves; returns once the socket is bound. Blocks the caller for the bind: call it from a
         * thread that may block (a {@code main} thread), not from an event loop.
         *
         * @return the running server
         * @throws RuntimeException if the address cannot be bound (in use, not local, not permitted)
         */
        public ActionServer start() {
            HttpHandler routed = RouterFunctions.toHttpHandler(routes);
            Requests requests = new Requests();
            HttpHandler handler = (request, response) -> {
                requests.started();
                return routed.handle(request, response).doFinally(signal -> requests.ended());
            };
            ConnectionLimits limits = new ConnectionLimits(maxConnections, requestReadTimeout);
            HttpServer http = HttpServer.create()
                    .host(host)
                    .port(port)
                    .idleTimeout(idleTimeout);
            if (sendBufferBytes > 0) {
                http = http.childOption(ChannelOption.SO_SNDBUF, sendBufferBytes);
            }
            DisposableServer server = http
                    .accessLog(accessLog)
                    .doOnChannelInit((observer, channel, remote) -> {
                        ChannelPipeline pipeline = channel.pipeline();
                        String name = "procflux.connectionLimits";
                        if (pipeline.get(NettyPipeline.HttpCodec) != null) {
                            pipeline.addAfter(NettyPipeline.HttpCodec, name, limits.handler());
                        }
                        else {
                            pipeline.addLast(name, limits.handler());
                        }
                    })
                    .handle(new ReactorHttpHandlerAdapter(handler))
                    .bindNow(Duration.ofSeconds(30));
            return new ActionServer(server, limits, requests);
        }
    }

    /** @return the connections open now */
    public int openConnections() {
        return limits.open();
    }

    /** @return the bound address */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.address();
    }

    /** @return the bound port (the ephemeral one when started with port 0) */
    public int port() {
        return server.port();
    }

    /** @return the base URL, e.g. {@code http://127.0.0.1:8080} */
    public String url() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * Completion of the server.
     *
     * <p><b>Emits:</b> nothing; completes once the server is closed.
     * <p><b>Laziness:</b> hot: reflects the server's state whenever it is subscribed.
     * <p><b>Threading:</b> completes on the thread that closes the server.
     * <p><b>Cancellation:</b> cancelling only stops waiting; the server keeps running.
     * <p><b>Errors:</b> none.
     *
     * @return completes once the server is closed
     */
    public Mono<Void> onClose() {
        return server.onDispose();
    }

    /**
     * Stops the server and closes its connections at once, which cancels their requests (killing the process
     * trees of their runs); waits up to 10 seconds for the connections to close. Idempotent.
     */
    @Override
    public void close() {
        server.dispose();
        limits.closeAll(Duration.ofSeconds(10));
        server.onDispose().block(Duration.ofSeconds(10));
    }

    /**
     * The first half of a graceful stop: stops accepting connections and lets requests in progress finish for up
     * to {@code timeout}. Blocks the caller. Call {@link #close()} next, which closes what
     * is left.
     *
     * @param timeout how long requests in progress may take to finish
     * @return whether every request finished in time
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public boolean drain(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        // closes the listening socket only: connections already open keep being served
        server.dispose();
        try {
            return requests.awaitNone(timeout);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return requests.inProgress() == 0;
        }
    }
}
