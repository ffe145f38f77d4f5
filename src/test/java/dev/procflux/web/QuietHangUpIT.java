package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.Command;
import dev.procflux.EngineEvents;
import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client that hangs up on a stream whose process never writes: the server notices the closed connection, cancels
 * the run and kills the process. The process would otherwise run for ten minutes, so only the hang-up can end it
 * within the test's bound. A raw stream is left before its status line, which waits for the first byte. The
 * hang-ups race the server's first write of the response; {@link StreamLifetimeIT} drives each point of that race
 * on purpose, this test against a real socket. {@code -Dprocflux.hangup.rounds=40} repeats each format 40 times.
 */
@EnabledOnOs(OS.LINUX)
class QuietHangUpIT {
    private ProcessEngine engine;
    private ActionServer server;
    // the threads processKilled ran on: the threads that froze and signalled the trees
    private final List<String> killThreads = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        engine = ProcessEngine.builder().maxConcurrency(4).killGracePeriod(Duration.ofMillis(500))
                .addEvents(new EngineEvents() {
                    @Override
                    public void processKilled(Command command, long pid, boolean forced) {
                        killThreads.add(Thread.currentThread().getName());
                    }
                }).build();
        ActionRegistry registry = ActionRegistry.builder()
                .add(Action.builder("silent", "sleep", "600").timeout(Duration.ofMinutes(15)).build())
                .add(Action.builder("silent-raw", "sleep", "600").timeout(Duration.ofMinutes(15))
                        .streamFormat(StreamFormat.RAW).build())
                .build();
        server = ActionServer.start(ActionRoutes.builder(engine, registry).heartbeatInterval(Duration.ofSeconds(1))
                .build(), "127.0.0.1", 0);
    }

    @AfterEach
    void tearDown() {
        server.close();
        engine.close();
        Children.awaitNone();
    }

    /** Each format, {@code procflux.hangup.rounds} times (5 by default): the race it guards against is timing. */
    static Stream<Arguments> hangUps() {
        int rounds = Integer.getInteger("procflux.hangup.rounds", 5);
        return Stream.of(new String[] {"silent", "text/event-stream"}, new String[] {"silent", "application/x-ndjson"},
                        new String[] {"silent-raw", "application/octet-stream"})
                .flatMap(c -> IntStream.rangeClosed(1, rounds).mapToObj(r -> Arguments.of(c[0], c[1], r)));
    }

    @ParameterizedTest(name = "{0} as {1}, round {2}")
    @MethodSource("hangUps")
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
                assertThat(WebFixture.readHead(s.getInputStream())).startsWith("HTTP/1.1 200 OK");
            }
        }
        await().alias("the hang-up ends the run; still alive: " + Children.describe())
                .atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().acquired() == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> Children.alive() == 0);
        assertThat(engine.metrics().cancelled()).isEqualTo(1);
        // the hang-up reaches the engine as a cancel on a Netty event loop, which must not do the kill's work
        assertThat(killThreads).singleElement().asString().startsWith("procflux-engine-kill-");
    }
}
