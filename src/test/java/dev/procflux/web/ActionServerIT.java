package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.procflux.ProcessEngine;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import tools.jackson.databind.JsonNode;

/** The routes on a real socket: Reactor Netty's server and client, loopback, an ephemeral port. */
@EnabledOnOs(OS.LINUX)
class ActionServerIT {
    @TempDir
    Path base;

    private ProcessEngine engine;
    private ActionServer server;
    private HttpClient client;

    @BeforeEach
    void setUp() {
        engine = ProcessEngine.builder().maxConcurrency(4).killGracePeriod(Duration.ofMillis(500)).build();
        server = ActionServer.start(ActionRoutes.builder(engine, TestActions.registry(base)).build(), "127.0.0.1", 0);
        client = HttpClient.create().baseUrl(server.url()).responseTimeout(Duration.ofSeconds(20));
    }

    @AfterEach
    void tearDown() {
        server.close();
        Children.awaitNone();
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.metrics().leased() == 0);
        engine.close();
    }

    @Test
    void theServerListensOnLoopbackWithAnEphemeralPort() {
        assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(server.port()).isPositive();
        assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
    }

    @Test
    void runAndStreamWorkOverARealSocket() {
        String run = client.post().uri("/actions/seq?count=3").send(ByteBufFlux.fromString(Mono.empty()))
                .responseSingle((response, body) -> {
                    assertThat(response.status().code()).isEqualTo(200);
                    assertThat(response.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE))
                            .isEqualTo("application/json");
                    return body.asString();
                }).block(Duration.ofSeconds(20));
        JsonNode result = Json.parse(run);
        assertThat(result.get("stdout").asString()).isEqualTo("1\n2\n3\n");

        String stream = client.headers(h -> h.set(HttpHeaderNames.ACCEPT, "text/event-stream"))
                .get().uri("/actions/seq/stream?count=2")
                .responseSingle((response, body) -> {
                    assertThat(response.status().code()).isEqualTo(200);
                    assertThat(response.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE))
                            .startsWith("text/event-stream");
                    return body.asString();
                }).block(Duration.ofSeconds(20));
        List<String[]> events = Json.events(stream);
        assertThat(events.get(events.size() - 1)[0]).isEqualTo("exit");
        StringBuilder stdout = new StringBuilder();
        events.stream().filter(e -> e[0].equals("stdout")).forEach(e -> stdout.append(Json.parse(e[1]).get("text")
                .asString()));
        assertThat(stdout).hasToString("1\n2\n");

        String unknown = client.post().uri("/actions/nope").responseSingle((response, body) -> {
            assertThat(response.status().code()).isEqualTo(404);
            return body.asString();
        }).block(Duration.ofSeconds(20));
        assertThat(Json.parse(unknown).get("message").asString()).isEqualTo("no action named 'nope'");
    }

    @Test
    void aLargeRequestBodyStreamsThroughStdinAndBackByteIdentical() throws Exception {
        byte[] payload = new byte[4 * 1024 * 1024 - 1];
        new java.util.Random(11).nextBytes(payload);
        // the body is sent in 64 KiB chunks without a Content-Length, so the server cannot tell its size up front
        byte[] echoed = client.headers(h -> h.set(HttpHeaderNames.ACCEPT, "application/octet-stream"))
                .post().uri("/actions/cat/stream")
                .send(reactor.core.publisher.Flux.range(0, 64).map(i -> io.netty.buffer.Unpooled.wrappedBuffer(
                        payload, i * 65536, Math.min(65536, payload.length - i * 65536))))
                .responseSingle((response, body) -> {
                    assertThat(response.status().code()).isEqualTo(200);
                    return body.asByteArray();
                }).block(Duration.ofSeconds(30));
        assertThat(echoed).hasSize(payload.length);
        assertThat(ActionRoutesIT.sha256(echoed)).isEqualTo(ActionRoutesIT.sha256(payload));
        assertThat(engine.metrics().succeeded()).isEqualTo(1);
    }

    @Test
    void aRawStreamOfAFailedRunIsAbortedNotEndedNormally() {
        assertThatThrownBy(() -> client.get().uri("/actions/raw-fail/stream")
                .responseSingle((response, body) -> {
                    assertThat(response.status().code()).isEqualTo(200);
                    return body.asString();
                }).block(Duration.ofSeconds(20)))
                .hasCauseInstanceOf(PrematureCloseException.class)
                .hasMessageContaining("Connection prematurely closed DURING response");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ticker", "yes"})
    void aClientThatDisconnectsMidStreamLeavesNoProcessBehindAndReturnsTheLease(String action) {
        // reads an endless stream for about a second, then cancels, which closes the connection
        Long received = client.get().uri("/actions/" + action + "/stream")
                .responseContent().asString()
                .take(Duration.ofSeconds(1))
                .map(String::length)
                .reduce(0L, Long::sum)
                .block(Duration.ofSeconds(20));
        assertThat(received).isPositive();
        await().alias("no child alive after the disconnect, still: " + Children.describe())
                .atMost(Duration.ofSeconds(10)).until(() -> Children.alive() == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().leased() == 0);
        assertThat(engine.metrics().cancelled()).isEqualTo(1);
    }
}
