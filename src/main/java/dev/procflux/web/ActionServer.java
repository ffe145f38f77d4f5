package dev.procflux.web;

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
    private final DisposableServer server;

    private ActionServer(DisposableServer server) {
        this.server = server;
    }

    /**
     * Binds {@code host:port} and serves {@code routes}; returns once the socket is bound. Blocks the caller for
     * the bind: call it from a thread that may block (a {@code main} thread), not from an event loop.
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
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
        HttpHandler handler = RouterFunctions.toHttpHandler(routes);
        DisposableServer server = HttpServer.create()
                .host(host)
                .port(port)
                .handle(new ReactorHttpHandlerAdapter(handler))
                .bindNow(Duration.ofSeconds(30));
        return new ActionServer(server);
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

    /** Stops the server and closes its connections; waits up to 10 seconds. Idempotent. */
    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(10));
    }
}
