package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.procflux.ProcessEngine;
import dev.procflux.testsupport.PipelinedRequests;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import tools.jackson.databind.JsonNode;

/** The routes on a real socket: Reactor Netty's server and client, loopback, an ephemeral port. */
@EnabledOnOs(OS.LINUX)
class ActionServerIT {
    @TempDir
    Path base;

    private WebFixture web;
    private ProcessEngine engine;
    private ActionServer server;
    private HttpClient client;

    @BeforeEach
    void setUp() {
        engine = WebFixture.engine(4).build();
        web = WebFixture.served(engine, ActionRoutes.builder(engine, TestActions.registry(base)).build());
        server = web.server();
        client = HttpClient.create().baseUrl(server.url()).responseTimeout(Duration.ofSeconds(20));
    }

    @AfterEach
    void tearDown() {
        web.close();
    }

    @Test
    void theServerListensOnLoopbackWithAnEphemeralPort() {
        assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(server.port()).isPositive();
        assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
    }

    @Test
    void aRequestPipelinedBehindARunningActionIsAnsweredAndTheConnectionReadsTheNextOne() throws IOException {
        PipelinedRequests.assertTheConnectionReadsOnAfterEachAnswer(server.port(), "");
    }

    @Test
    void aRequestPipelinedBehindARunningActionAndAnsweredByTheRoutersNotFoundLeavesTheConnectionReading()
            throws IOException {
        PipelinedRequests.assertTheConnectionReadsOnAfterAnAnswerOutsideTheRoutes(server.port(), "", "/no-such-page",
                404);
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
                .post().uri("/actions/seq/stream?count=2")
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
        assertThatThrownBy(() -> client.post().uri("/actions/raw-fail/stream")
                .responseSingle((response, body) -> {
                    assertThat(response.status().code()).isEqualTo(200);
                    return body.asString();
                }).block(Duration.ofSeconds(20)))
                .hasCauseInstanceOf(PrematureCloseException.class)
                .hasMessageContaining("Connection prematurely closed DURING response");
    }

    @Test
    void aStreamWhoseProgramCannotStartGetsA500StatusLineNotAnAbortedBody() {
        String body = client.headers(h -> h.set(HttpHeaderNames.ACCEPT, "application/octet-stream"))
                .post().uri("/actions/missing/stream")
                .responseSingle((response, content) -> {
                    assertThat(response.status().code()).isEqualTo(500);
                    assertThat(response.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE))
                            .isEqualTo("application/json");
                    return content.asString();
                }).block(Duration.ofSeconds(20));
        JsonNode error = Json.parse(body);
        assertThat(error.get("error").asString()).isEqualTo("start-failed");
        assertThat(error.get("message").asString()).isEqualTo("cannot start '/nonexistent/procflux-missing': "
                + "executable /nonexistent/procflux-missing does not exist");
        assertThat(engine.metrics().startFailures()).isEqualTo(1);
        assertThat(engine.metrics().acquired()).isZero();
    }

    @Test
    void aQuietStreamAnswers200AsSoonAsItsProcessRunsWithoutWaitingForOutput() {
        // a hang-up is noticed at the next write: heartbeats every second make that soon for a silent process
        ActionServer beating = ActionServer.start(ActionRoutes.builder(engine, TestActions.registry(base))
                .heartbeatInterval(Duration.ofSeconds(1)).build(), "127.0.0.1", 0);
        try {
            // sleep writes nothing for 30 s: the status and headers must come once it runs, not with its output
            List<Object> seen = HttpClient.create().baseUrl(beating.url())
                    .headers(h -> h.set(HttpHeaderNames.ACCEPT, "text/event-stream"))
                    .post().uri("/actions/sleeper/stream")
                    .responseConnection((response, connection) -> {
                        List<Object> headers = List.of(response.status().code(),
                                response.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE), Children.alive());
                        connection.dispose(); // hangs up without reading the body
                        return Mono.just(headers);
                    })
                    .blockLast(Duration.ofSeconds(20));
            assertThat(seen).hasSize(3);
            assertThat(seen.get(0)).isEqualTo(200);
            assertThat((String) seen.get(1)).startsWith("text/event-stream");
            assertThat(seen.get(2)).isEqualTo(1L);
            await().alias("no child alive after the disconnect, still: " + Children.describe())
                    .atMost(Duration.ofSeconds(10)).until(() -> Children.alive() == 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().acquired() == 0);
            assertThat(engine.metrics().cancelled()).isEqualTo(1);
        }
        finally {
            beating.close();
        }
    }

    @Test
    void aClientGoneBeforeTheProcessStartsCancelsTheLaunchAndReturnsTheLease() throws Exception {
        // one launch thread, held by a gate: a request gets its slot, then its launch waits behind the gate
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService launches = Executors.newSingleThreadExecutor();
        launches.execute(() -> {
            try {
                gate.await();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ProcessEngine gated = ProcessEngine.builder().maxConcurrency(1).killGracePeriod(Duration.ofMillis(500))
                .closeOnShutdown(false).launchScheduler(Schedulers.fromExecutorService(launches)).build();
        CountDownLatch handlerCancelled = new CountDownLatch(1);
        RouterFunction<ServerResponse> routes = ActionRoutes.builder(gated, TestActions.registry(base)).build()
                // a stream runs while its response is written: the write's doFinally runs once the cancel has gone
                // upstream, into the engine
                .filter((request, next) -> next.handle(request).map(response -> onWriteEnd(response, signal -> {
                    if (signal == SignalType.CANCEL) {
                        handlerCancelled.countDown();
                    }
                })));
        ActionServer gatedServer = ActionServer.start(routes, "127.0.0.1", 0);
        try {
            Disposable request = HttpClient.create().baseUrl(gatedServer.url())
                    .headers(h -> h.set(HttpHeaderNames.ACCEPT, "text/event-stream"))
                    .post().uri("/actions/sleeper/stream").response()
                    .subscribe(response -> { }, error -> { });
            await().atMost(Duration.ofSeconds(10)).until(() -> gated.metrics().acquired() == 1);
            request.dispose();
            assertThat(handlerCancelled.await(10, TimeUnit.SECONDS)).as("the server saw the client go").isTrue();
            gate.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> gated.metrics().acquired() == 0);
            assertThat(gated.metrics().started()).isZero();
            assertThat(gated.metrics().startFailures()).isZero();
        }
        finally {
            gate.countDown();
            gatedServer.close();
            gated.close();
            launches.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ticker", "yes"})
    void aClientThatDisconnectsMidStreamLeavesNoProcessBehindAndReturnsTheLease(String action) {
        // reads an endless stream for about a second, then cancels, which closes the connection
        Long received = client.post().uri("/actions/" + action + "/stream")
                .responseContent().asString()
                .take(Duration.ofSeconds(1))
                .map(String::length)
                .reduce(0L, Long::sum)
                .block(Duration.ofSeconds(20));
        assertThat(received).isPositive();
        await().alias("no child alive after the disconnect, still: " + Children.describe())
                .atMost(Duration.ofSeconds(10)).until(() -> Children.alive() == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().acquired() == 0);
        assertThat(engine.metrics().cancelled()).isEqualTo(1);
    }

    /** {@code response}, telling {@code onEnd} the signal that ends each write of it. */
    private static ServerResponse onWriteEnd(ServerResponse response, Consumer<SignalType> onEnd) {
        return new ServerResponse() {
            @Override
            public HttpStatusCode statusCode() {
                return response.statusCode();
            }

            @Override
            public HttpHeaders headers() {
                return response.headers();
            }

            @Override
            public MultiValueMap<String, ResponseCookie> cookies() {
                return response.cookies();
            }

            @Override
            public Mono<Void> writeTo(ServerWebExchange exchange, Context context) {
                return response.writeTo(exchange, context).doFinally(onEnd);
            }
        };
    }
}
