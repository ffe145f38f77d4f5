package dev.procflux.web;

import static org.awaitility.Awaitility.await;

import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * One engine behind the routes of a test, served on loopback at an ephemeral port or bound to a
 * {@link WebTestClient}. Closing it closes the server, checks that no child process and no slot leaked, then
 * closes the engine.
 */
final class WebFixture implements AutoCloseable {
    private final ProcessEngine engine;
    private final @Nullable ActionServer server;

    private WebFixture(ProcessEngine engine, @Nullable ActionServer server) {
        this.engine = engine;
        this.server = server;
    }

    /** @return the status line and headers of a raw HTTP response, up to the blank line (or the end of input) */
    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** An engine builder with the tests' usual settings: a short kill grace period. */
    static ProcessEngine.Builder engine(int maxConcurrency) {
        return ProcessEngine.builder().maxConcurrency(maxConcurrency).killGracePeriod(Duration.ofMillis(500));
    }

    /** {@code routes} served by an {@link ActionServer} on {@code 127.0.0.1}, an ephemeral port. */
    static WebFixture served(ProcessEngine engine, RouterFunction<ServerResponse> routes) {
        return new WebFixture(engine, ActionServer.start(routes, "127.0.0.1", 0));
    }

    /** Routes bound in process with {@link #client}: only the engine to check and close. */
    static WebFixture unserved(ProcessEngine engine) {
        return new WebFixture(engine, null);
    }

    /** A client bound to {@code routes} in process, with a response timeout that a hung route fails. */
    static WebTestClient client(RouterFunction<ServerResponse> routes) {
        return clientBuilder(routes).build();
    }

    static WebTestClient.Builder clientBuilder(RouterFunction<ServerResponse> routes) {
        return WebTestClient.bindToRouterFunction(routes).configureClient().responseTimeout(Duration.ofSeconds(20));
    }

    ProcessEngine engine() {
        return engine;
    }

    ActionServer server() {
        return Objects.requireNonNull(server, "not served");
    }

    /** The {@code Host} header line of a raw request to the server. */
    String hostHeader() {
        return "Host: 127.0.0.1:" + server().port();
    }

    @Override
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
            Children.awaitNone();
            await().atMost(Duration.ofSeconds(5)).until(() -> engine.metrics().acquired() == 0);
        }
        finally {
            engine.close();
        }
    }
}
