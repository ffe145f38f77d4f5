package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import dev.procflux.WorkerPool;
import dev.procflux.WorkerProtocol;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;

/** {@code POST /workers/{pool}} against real worker processes ({@code cat}, {@code sh}). */
@EnabledOnOs(OS.LINUX)
class WorkerRoutesIT {
    private ProcessEngine engine;
    private final List<WorkerPool<?, ?>> pools = new ArrayList<>();

    @BeforeEach
    void setUp() {
        engine = ProcessEngine.builder().killGracePeriod(Duration.ofMillis(500)).build();
    }

    @AfterEach
    void tearDown() {
        pools.forEach(WorkerPool::close);
        engine.close();
        Children.awaitNone();
    }

    private WorkerPool.Builder<String, String> lines(String... argv) {
        return WorkerPool.builder(Command.of(argv)).sizeBetween(0, 1).requestTimeout(Duration.ofSeconds(10));
    }

    private <I, O> WorkerPool<I, O> track(WorkerPool<I, O> pool) {
        pools.add(pool);
        return pool;
    }

    private WebTestClient client(ActionRoutes.Builder routes) {
        return WebFixture.client(routes.build());
    }

    private WebTestClient client(String name, WorkerPool<String, String> pool) {
        return client(ActionRoutes.builder(engine, ActionRegistry.builder().build())
                .workerPool(name, pool, WorkerCodec.text()));
    }

    private static JsonNode post(WebTestClient client, String uri, String body, int status) {
        return Json.parse(client.post().uri(uri).bodyValue(body).exchange().expectStatus().isEqualTo(status)
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody(byte[].class).returnResult().getResponseBody());
    }

    @Test
    void aTextRequestIsAnsweredWithTheWorkersReplyAsJson() {
        WebTestClient client = client("echo", track(lines("cat").build(engine)));
        byte[] body = client.post().uri("/workers/echo").bodyValue("hello wörld".getBytes(StandardCharsets.UTF_8))
                .exchange().expectStatus().isOk().expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(Json.text(body)).isEqualTo("{\"reply\":\"hello wörld\"}");
        assertThat(post(client, "/workers/echo", "", 200).get("reply").asString()).isEmpty();
    }

    @Test
    void metricsListEachWorkerPoolWithItsCounters() {
        WebTestClient client = client("echo", track(lines("cat").build(engine)));
        post(client, "/workers/echo", "one", 200);
        post(client, "/workers/echo", "two", 200);
        JsonNode metrics = Json.parse(client.get().uri("/metrics").exchange().expectStatus().isOk()
                .expectBody(byte[].class).returnResult().getResponseBody());
        JsonNode echo = metrics.get("workers").get("echo");
        assertThat(echo.get("succeeded").asLong()).isEqualTo(2);
        assertThat(echo.get("alive").asInt()).isEqualTo(1);
        assertThat(echo.get("restarts").get("crash").asLong()).isZero();
    }

    @Test
    void aJsonBodyCarriesTheRequestInItsRequestField() {
        WebTestClient client = client("echo", track(lines("cat").build(engine)));
        byte[] body = client.post().uri("/workers/echo").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"request\": \"{not json for the worker}\"}").exchange().expectStatus().isOk()
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(Json.parse(body).get("reply").asString()).isEqualTo("{not json for the worker}");

        byte[] bad = client.post().uri("/workers/echo").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"request\": 7}").exchange().expectStatus().isBadRequest()
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(Json.parse(bad).get("error").asString()).isEqualTo("invalid-body");
        assertThat(Json.parse(bad).get("message").asString())
                .isEqualTo("a JSON body must be an object with a string field 'request'");
    }

    @Test
    void aBinaryPoolTakesAndReturnsRawBytes() {
        WorkerPool<byte[], byte[]> cat = track(WorkerPool.builder(Command.of("cat"))
                .protocol(WorkerProtocol.lengthPrefixed()).sizeBetween(0, 1).build(engine));
        WebTestClient client = client(ActionRoutes.builder(engine, ActionRegistry.builder().build())
                .workerPool("bytes", cat, WorkerCodec.bytes()));
        byte[] payload = new byte[100_000];
        new Random(3).nextBytes(payload);
        byte[] echoed = client.post().uri("/workers/bytes").bodyValue(payload).exchange().expectStatus().isOk()
                .expectHeader().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(echoed).isEqualTo(payload);
    }

    @Test
    void anUnknownPoolIs404() {
        WebTestClient client = client("echo", track(lines("cat").build(engine)));
        JsonNode r = post(client, "/workers/nope", "x", 404);
        assertThat(r.get("error").asString()).isEqualTo("unknown-worker-pool");
        assertThat(r.get("message").asString()).isEqualTo("no worker pool named 'nope'");
        assertThat(engine.metrics().started()).isZero();
    }

    @Test
    void aRequestTheProtocolCannotEncodeOrABodyThatIsNotUtf8Is400() {
        WebTestClient client = client("echo", track(lines("cat").build(engine)));
        JsonNode newline = post(client, "/workers/echo", "two\nlines", 400);
        assertThat(newline.get("error").asString()).isEqualTo("invalid-body");
        assertThat(newline.get("message").asString()).startsWith("worker pool 'echo' cannot take this request: ");

        byte[] latin1 = client.post().uri("/workers/echo").bodyValue(new byte[] {'a', (byte) 0xff}).exchange()
                .expectStatus().isBadRequest().expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(Json.parse(latin1).get("message").asString())
                .isEqualTo("worker pool 'echo' cannot take this request: the body is not valid UTF-8 text");
    }

    @Test
    void aBodyOverTheLimitIs413() {
        WebTestClient client = client(ActionRoutes.builder(engine, ActionRegistry.builder().build())
                .workerPool("echo", track(lines("cat").build(engine)), WorkerCodec.text())
                .maxWorkerBodyBytes(16));
        JsonNode r = post(client, "/workers/echo", "x".repeat(17), 413);
        assertThat(r.get("message").asString()).isEqualTo("request body is larger than the limit of 16 bytes");
    }

    @Test
    void aBusyPoolWithNoRoomToWaitIs503WithRetryAfter() {
        WorkerPool<String, String> silent = track(lines("sh", "-c", "exec cat >/dev/null").maxPendingAcquire(0)
                .requestTimeout(Duration.ofSeconds(30)).build(engine));
        WebTestClient client = client("silent", silent);
        // the only worker swallows the request and never answers: it stays busy
        Disposable busy = silent.call("first").subscribe(r -> { }, e -> { });
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> silent.metrics().acquired() == 1);
            byte[] body = client.post().uri("/workers/silent").bodyValue("second").exchange()
                    .expectStatus().isEqualTo(503)
                    .expectHeader().valueEquals("Retry-After", "1")
                    .expectBody(byte[].class).returnResult().getResponseBody();
            JsonNode r = Json.parse(body);
            assertThat(r.get("error").asString()).isEqualTo("overloaded");
            assertThat(r.get("pool").asString()).isEqualTo("silent");
            assertThat(r.get("message").asString()).startsWith("worker pool 'silent': worker pool '")
                    .contains("overloaded").contains("maxPendingAcquire=0 reached");
        }
        finally {
            busy.dispose();
        }
    }

    @Test
    void aWorkerThatDoesNotAnswerInTimeIs504() {
        WorkerPool<String, String> silent = track(lines("sh", "-c", "exec cat >/dev/null")
                .requestTimeout(Duration.ofMillis(300)).build(engine));
        JsonNode r = post(client("silent", silent), "/workers/silent", "anyone?", 504);
        assertThat(r.get("error").asString()).isEqualTo("timeout");
        assertThat(r.get("pool").asString()).isEqualTo("silent");
        assertThat(r.get("message").asString()).startsWith("worker pool 'silent': ").contains("300ms");
    }

    @Test
    void aWorkerThatCrashesIs502NamingThePool() {
        // answers once, then dies on the next request with a note on stderr
        WorkerPool<String, String> fragile = track(lines("sh", "-c",
                "read l; echo \"$l\"; read l; echo 'segfault, sort of' >&2; exit 3").build(engine));
        WebTestClient client = client("fragile", fragile);
        assertThat(post(client, "/workers/fragile", "one", 200).get("reply").asString()).isEqualTo("one");
        JsonNode r = post(client, "/workers/fragile", "two", 502);
        assertThat(r.get("error").asString()).isEqualTo("worker-crashed");
        assertThat(r.get("pool").asString()).isEqualTo("fragile");
        assertThat(r.get("message").asString()).startsWith("worker pool 'fragile': worker '")
                .contains("exit 3").contains("segfault, sort of");
        // the pool replaced the worker
        assertThat(post(client, "/workers/fragile", "three", 200).get("reply").asString()).isEqualTo("three");
    }

    @Test
    void aWorkerThatBreaksTheProtocolIs502NamingThePool() {
        WorkerPool<String, String> garbled = track(lines("sh", "-c",
                "while read l; do printf '\\377\\n'; done").build(engine));
        JsonNode r = post(client("garbled", garbled), "/workers/garbled", "hi", 502);
        assertThat(r.get("error").asString()).isEqualTo("worker-protocol-error");
        assertThat(r.get("pool").asString()).isEqualTo("garbled");
        assertThat(r.get("message").asString()).startsWith("worker pool 'garbled': worker '")
                .contains("broke the protocol");
    }

    @Test
    void aClosedPoolIs503Unavailable() {
        WorkerPool<String, String> cat = track(lines("cat").build(engine));
        WebTestClient client = client("echo", cat);
        assertThat(post(client, "/workers/echo", "before", 200).get("reply").asString()).isEqualTo("before");
        cat.close();
        byte[] body = client.post().uri("/workers/echo").bodyValue("after").exchange()
                .expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "1")
                .expectBody(byte[].class).returnResult().getResponseBody();
        JsonNode r = Json.parse(body);
        assertThat(r.get("error").asString()).isEqualTo("unavailable");
        assertThat(r.get("message").asString()).startsWith("worker pool 'echo': worker pool 'cat' closed");
    }

    @Test
    void poolNamesAreCheckedWhenRegistered() {
        WorkerPool<String, String> cat = track(lines("cat").build(engine));
        ActionRoutes.Builder routes = ActionRoutes.builder(engine, ActionRegistry.builder().build())
                .workerPool("echo", cat, WorkerCodec.text());
        assertThatThrownBy(() -> routes.workerPool("echo", cat, WorkerCodec.text()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("worker pool 'echo' is already registered");
        assertThatThrownBy(() -> routes.workerPool("a/b", cat, WorkerCodec.text()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("worker pool name must match [A-Za-z0-9_.-]{1,64}, was 'a/b'");
    }
}
