package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A stream's process lives only as long as the write of its response, whatever ends that write and whenever: the
 * server refusing the first bytes, a connection closed right after the status line (before the body asked for
 * any output), a write that fails, or a response that is never written. Each case drives the routes through
 * Spring's {@link HttpHandler} with a response whose write ends at that point, so the timing is deterministic; the
 * processes would otherwise run for ten minutes.
 */
@EnabledOnOs(OS.LINUX)
class StreamLifetimeIT {
    private ProcessEngine engine;
    private RouterFunction<ServerResponse> routes;

    @BeforeEach
    void setUp() {
        engine = WebFixture.engine(4).build();
        ActionRegistry registry = ActionRegistry.builder()
                .add(Action.builder("silent", "sleep", "600").timeout(Duration.ofMinutes(15)).build())
                // raw: the status waits for the first byte, so the process writes one and then stays quiet
                .add(Action.builder("silent-raw", "sh", "-c", "printf x; exec sleep 600")
                        .timeout(Duration.ofMinutes(15)).streamFormat(StreamFormat.RAW).build())
                .build();
        routes = ActionRoutes.builder(engine, registry).build();
    }

    @AfterEach
    void tearDown() {
        try {
            Children.awaitNone();
            await().atMost(Duration.ofSeconds(5)).until(() -> engine.metrics().acquired() == 0);
        }
        finally {
            engine.close();
        }
    }

    private static MockServerHttpRequest request(String action, String accept) {
        return MockServerHttpRequest.post("/actions/" + action + "/stream").header("Host", "127.0.0.1")
                .header("Accept", accept).build();
    }

    private Mono<Void> handle(RouterFunction<ServerResponse> routes, MockServerHttpRequest request,
            Function<Flux<DataBuffer>, Mono<Void>> write) {
        MockServerHttpResponse response = new MockServerHttpResponse();
        response.setWriteHandler(write);
        HttpHandler handler = RouterFunctions.toHttpHandler(routes);
        return handler.handle(request, response);
    }

    private void awaitTreeKilled() {
        await().alias("the process outlived its response; still alive: " + Children.describe())
                .atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().acquired() == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> Children.alive() == 0);
        assertThat(engine.metrics().started()).isEqualTo(1);
        assertThat(engine.metrics().cancelled()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({"silent, text/event-stream", "silent, application/x-ndjson", "silent-raw, application/octet-stream"})
    void aWriteThatEndsWithItsFirstBytesKillsTheProcess(String action, String accept) {
        // the first buffer carries the status line (an empty frame, or the raw stream's first byte): the server
        // takes it and then stops, as when the socket is closed under it
        AtomicReference<String> first = new AtomicReference<>();
        handle(routes, request(action, accept), body -> body.take(1).doOnNext(b -> {
            first.set(b.toString(StandardCharsets.UTF_8));
            DataBufferUtils.release(b);
        }).then()).block(Duration.ofSeconds(10));
        assertThat(first.get()).isEqualTo(action.equals("silent-raw") ? "x" : "");
        awaitTreeKilled();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({"silent, text/event-stream", "silent, application/x-ndjson", "silent-raw, application/octet-stream"})
    void aConnectionClosedAsTheStatusLineGoesOutKillsTheProcess(String action, String accept) {
        // the exchange is cancelled while the server handles the first buffer, before the body asks for more: the
        // window in which a real client's hang-up once went unnoticed
        BaseSubscriber<Void> exchange = new BaseSubscriber<>() {
        };
        handle(routes, request(action, accept), body -> body.doOnNext(b -> {
            DataBufferUtils.release(b);
            exchange.dispose();
        }).then()).subscribe(exchange);
        awaitTreeKilled();
        assertThat(exchange.isDisposed()).isTrue();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({"silent, text/event-stream", "silent, application/x-ndjson", "silent-raw, application/octet-stream"})
    void aWriteThatFailsBeforeTakingAnyBytesKillsTheProcess(String action, String accept) {
        AtomicBoolean refused = new AtomicBoolean();
        // the server's adapter answers the failed write itself (it logs it): the exchange completes
        handle(routes, request(action, accept), body -> {
            refused.set(true);
            return Mono.error(new IOException("Connection reset by peer"));
        }).onErrorResume(IOException.class, e -> Mono.empty()).block(Duration.ofSeconds(10));
        assertThat(refused).isTrue();
        awaitTreeKilled();
    }

    @Test
    void aResponseThatIsNeverWrittenRunsNoProcess() {
        // an application filter that answers in place of the stream: the stream's response is dropped unwritten
        RouterFunction<ServerResponse> replaced = routes.filter((request, next) -> next.handle(request)
                .flatMap(ignored -> ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE).build()));
        handle(replaced, request("silent", "application/x-ndjson"), body -> body.then()).block(Duration.ofSeconds(10));
        assertThat(List.of(engine.metrics().started(), (long) engine.metrics().acquired(), Children.alive()))
                .containsExactly(0L, 0L, 0L);
    }
}
