package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A client that hangs up on a stream whose process never writes: the server notices the closed connection without
 * any write to fail on, cancels the run and kills the process. The process would otherwise run for ten minutes,
 * so only the hang-up can end it within the test's bound. A raw stream is left before its status line, which waits
 * for the first byte.
 */
@EnabledOnOs(OS.LINUX)
class QuietHangUpIT {
    private ProcessEngine engine;
    private ActionServer server;

    @BeforeEach
    void setUp() {
        engine = ProcessEngine.builder().maxConcurrency(4).killGracePeriod(Duration.ofMillis(500)).build();
        ActionRegistry registry = ActionRegistry.builder()
                .add(Action.builder("silent", "sleep", "600").timeout(Duration.ofMinutes(15)).build())
                .add(Action.builder("silent-raw", "sleep", "600").timeout(Duration.ofMinutes(15))
                        .streamFormat(StreamFormat.RAW).build())
                .build();
        server = ActionServer.start(ActionRoutes.builder(engine, registry).build(), "127.0.0.1", 0);
    }

    @AfterEach
    void tearDown() {
        server.close();
        engine.close();
        Children.awaitNone();
    }

    @ParameterizedTest(name = "{0} as {1}, round {2}")
    @CsvSource({
            "silent, text/event-stream, 1", "silent, text/event-stream, 2", "silent, text/event-stream, 3",
            "silent, application/x-ndjson, 1", "silent, application/x-ndjson, 2", "silent, application/x-ndjson, 3",
            "silent-raw, application/octet-stream, 1", "silent-raw, application/octet-stream, 2",
            "silent-raw, application/octet-stream, 3"})
    void aHangUpOnAQuietStreamKillsItsProcess(String action, String accept, int round) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("POST /actions/" + action + "/stream HTTP/1.1\r\nHost: 127.0.0.1:"
                    + server.port() + "\r\nAccept: " + accept + "\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            if (accept.equals("application/octet-stream")) {
                // a raw stream's status waits for the first byte or the exit (a failure still gets its JSON error)
                await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().alive() == 1);
            }
            else {
                assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200 OK");
            }
        }
        await().alias("the hang-up ends the run; still alive: " + Children.describe())
                .atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().acquired() == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> Children.alive() == 0);
        assertThat(engine.metrics().cancelled()).isEqualTo(1);
    }

    private static String readHead(InputStream in) throws IOException {
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
}
