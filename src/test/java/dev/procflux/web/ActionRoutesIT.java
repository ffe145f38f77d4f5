package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

@EnabledOnOs(OS.LINUX)
class ActionRoutesIT {
    @TempDir
    Path base;

    private WebFixture web;
    private ProcessEngine engine;
    private WebTestClient client;

    @BeforeEach
    void setUp() throws Exception {
        Files.writeString(base.resolve("a.txt"), "a");
        engine = WebFixture.engine(2).maxPendingAcquire(0).build();
        web = WebFixture.unserved(engine);
        client = WebFixture.clientBuilder(ActionRoutes.builder(engine, TestActions.registry(base)).build())
                .codecs(c -> c.defaultCodecs().maxInMemorySize(16 * 1024 * 1024)).build();
    }

    @AfterEach
    void tearDown() {
        web.close();
    }

    private JsonNode post(String uri, int status) {
        byte[] body = client.post().uri(uri).exchange().expectStatus().isEqualTo(status)
                .expectBody(byte[].class).returnResult().getResponseBody();
        return Json.parse(body);
    }

    @Test
    void runAnswersTheExitCodeAndOutputAsJson() {
        JsonNode r = post("/actions/echo?message=hello world", 200);
        assertThat(r.get("exitCode").asInt()).isZero();
        assertThat(r.get("signal").isNull()).isTrue();
        assertThat(r.get("stdout").asString()).isEqualTo("hello world\n");
        assertThat(r.get("stderr").asString()).isEmpty();
        assertThat(r.get("truncated").asBoolean()).isFalse();
        assertThat(r.get("durationMs").asLong()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aNonZeroExitIsANormal200WithTheExitCodeAsData() {
        JsonNode r = post("/actions/fail", 200);
        assertThat(r.get("exitCode").asInt()).isEqualTo(3);
        assertThat(r.get("stderr").asString()).isEqualTo("oops\n");
    }

    @Test
    void outputBeyondTheActionsLimitIsTruncatedAndSaysSo() {
        JsonNode r = post("/actions/big", 200);
        assertThat(r.get("stdout").asString()).hasSize(1000);
        assertThat(r.get("truncated").asBoolean()).isTrue();
    }

    @Test
    void aProgramThatCannotStartIs500() {
        JsonNode r = post("/actions/missing", 500);
        assertThat(r.get("error").asString()).isEqualTo("start-failed");
        assertThat(r.get("message").asString()).contains("/nonexistent/procflux-missing");
    }

    @Test
    void anUnknownActionIs404() {
        JsonNode r = post("/actions/nope", 404);
        assertThat(r.get("error").asString()).isEqualTo("unknown-action");
        assertThat(r.get("message").asString()).isEqualTo("no action named 'nope'");
    }

    @Test
    void anInvalidParameterIs400NamingTheParameterAndTheRule() {
        JsonNode notNumber = post("/actions/seq?count=abc", 400);
        assertThat(notNumber.get("parameter").asString()).isEqualTo("count");
        assertThat(notNumber.get("rule").asString()).isEqualTo("integer");
        assertThat(notNumber.get("message").asString())
                .isEqualTo("parameter 'count' must be an integer in [1, 1000]; not a decimal integer");

        JsonNode outOfRange = post("/actions/seq?count=5000", 400);
        assertThat(outOfRange.get("rule").asString()).isEqualTo("range");
        assertThat(outOfRange.get("message").asString())
                .isEqualTo("parameter 'count' must be an integer in [1, 1000], was 5000");

        JsonNode unknown = post("/actions/seq?cnt=5", 400);
        assertThat(unknown.get("rule").asString()).isEqualTo("unknown");
        assertThat(unknown.get("message").asString()).isEqualTo("action 'seq' has no parameter 'cnt'; it has [count]");

        JsonNode notInEnum = post("/actions/mode?mode=medium", 400);
        assertThat(notInEnum.get("rule").asString()).isEqualTo("enum");
        assertThat(notInEnum.get("message").asString()).isEqualTo("parameter 'mode' must be one of [fast, slow]");

        JsonNode missing = post("/actions/mode", 400);
        assertThat(missing.get("rule").asString()).isEqualTo("required");

        JsonNode twice = post("/actions/seq?count=1&count=2", 400);
        assertThat(twice.get("rule").asString()).isEqualTo("repeated");
        assertThat(engine.metrics().started()).isZero();
    }

    @Test
    void parametersMayComeAsAJsonBody() {
        byte[] body = client.post().uri("/actions/seq").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"count\": 2}").exchange().expectStatus().isOk()
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(Json.parse(body).get("stdout").asString()).isEqualTo("1\n2\n");

        byte[] bad = client.post().uri("/actions/seq").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"count\": [1]}").exchange().expectStatus().isBadRequest()
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(Json.parse(bad).get("rule").asString()).isEqualTo("type");
    }

    @ParameterizedTest
    @CsvSource({
            "missing, text/event-stream, executable /nonexistent/procflux-missing does not exist",
            "missing, application/x-ndjson, executable /nonexistent/procflux-missing does not exist",
            "missing, application/octet-stream, executable /nonexistent/procflux-missing does not exist",
            "not-executable, text/event-stream, a.txt is not executable (permission denied)",
            "not-executable, application/x-ndjson, a.txt is not executable (permission denied)",
            "not-executable, application/octet-stream, a.txt is not executable (permission denied)",
            "no-directory, text/event-stream, gone does not exist",
            "no-directory, application/x-ndjson, gone does not exist",
            "no-directory, application/octet-stream, gone does not exist"})
    void aStreamWhoseProgramCannotStartIs500LikeARunAndHoldsNoLease(String action, String accept, String why) {
        JsonNode run = post("/actions/" + action, 500);
        byte[] body = client.post().uri("/actions/" + action + "/stream").accept(MediaType.parseMediaType(accept))
                .exchange()
                .expectStatus().isEqualTo(500)
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody(byte[].class).returnResult().getResponseBody();
        JsonNode stream = Json.parse(body);
        assertThat(stream.get("status").asInt()).isEqualTo(500);
        assertThat(stream.get("error").asString()).isEqualTo("start-failed");
        assertThat(stream.get("message").asString()).startsWith("cannot start '").endsWith(why)
                .isEqualTo(run.get("message").asString());
        // POST too: a stdin-less action takes the same path whatever the method
        client.post().uri("/actions/" + action + "/stream").accept(MediaType.parseMediaType(accept)).exchange()
                .expectStatus().isEqualTo(500);
        assertThat(engine.metrics().startFailures()).isEqualTo(3);
        assertThat(engine.metrics().started()).isZero();
        assertThat(engine.metrics().acquired()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/event-stream", "application/x-ndjson", "application/octet-stream"})
    void aStreamIs200OnceItsProcessRunsAndAfterAStartFailureEveryLeaseIsBack(String accept) throws Exception {
        client.post().uri("/actions/missing/stream").accept(MediaType.parseMediaType(accept)).exchange()
                .expectStatus().isEqualTo(500);
        assertThat(engine.metrics().acquired()).isZero();
        // base64, so that the text formats carry the bytes unchanged; cat takes its stdin from the body
        byte[] payload = new byte[256 * 1024];
        new Random(3).nextBytes(payload);
        byte[] text = Base64.getEncoder().encode(payload);
        byte[] body = client.post().uri("/actions/cat/stream").accept(MediaType.parseMediaType(accept))
                .bodyValue(text).exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.parseMediaType(accept))
                .expectBody(byte[].class).returnResult().getResponseBody();
        byte[] stdout = accept.equals("application/octet-stream") ? body : stdoutOfTextStream(Json.text(body));
        assertThat(stdout).hasSize(text.length);
        assertThat(sha256(stdout)).isEqualTo(sha256(text));
        assertThat(engine.metrics().startFailures()).isEqualTo(1);
        assertThat(engine.metrics().succeeded()).isEqualTo(1);
    }

    /** The stdout text of an event-stream or ndjson body, checking that it ends with a successful exit. */
    private static byte[] stdoutOfTextStream(String body) {
        List<String[]> events = body.startsWith("{") ? ndjsonEvents(body) : Json.events(body);
        StringBuilder stdout = new StringBuilder();
        for (String[] e : events.subList(0, events.size() - 1)) {
            assertThat(e[0]).isEqualTo("stdout");
            stdout.append(Json.parse(e[1]).get("text").asString());
        }
        String[] exit = events.get(events.size() - 1);
        assertThat(exit[0]).isEqualTo("exit");
        assertThat(Json.parse(exit[1]).get("exitCode").asInt()).isZero();
        return utf8(stdout.toString());
    }

    private static List<String[]> ndjsonEvents(String body) {
        List<String[]> events = new ArrayList<>();
        for (String line : body.split("\n")) {
            events.add(new String[] {Json.parse(line).get("stream").asString(), line});
        }
        return events;
    }

    @Test
    void overloadIs503WithRetryAfter() {
        // maxConcurrency 2, maxPendingAcquire 0: two sleepers hold both slots, the next request is refused at once
        Disposable a = engine.execute(Command.of("sleep", "30")).subscribe(r -> { }, e -> { });
        Disposable b = engine.execute(Command.of("sleep", "30")).subscribe(r -> { }, e -> { });
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> engine.metrics().acquired() == 2);
            byte[] body = client.post().uri("/actions/echo?message=hi").exchange()
                    .expectStatus().isEqualTo(503)
                    .expectHeader().valueEquals("Retry-After", "1")
                    .expectBody(byte[].class).returnResult().getResponseBody();
            assertThat(Json.parse(body).get("error").asString()).isEqualTo("overloaded");
            assertThat(Json.parse(body).get("message").asString()).startsWith("engine overloaded");

            for (MediaType accept : List.of(MediaType.TEXT_EVENT_STREAM, MediaType.APPLICATION_NDJSON,
                    MediaType.APPLICATION_OCTET_STREAM)) {
                byte[] stream = client.post().uri("/actions/seq/stream").accept(accept).exchange()
                        .expectStatus().isEqualTo(503)
                        .expectHeader().valueEquals("Retry-After", "1")
                        .expectHeader().contentType(MediaType.APPLICATION_JSON)
                        .expectBody(byte[].class).returnResult().getResponseBody();
                assertThat(Json.parse(stream).get("error").asString()).as(accept.toString()).isEqualTo("overloaded");
                assertThat(Json.parse(stream).get("message").asString()).startsWith("engine overloaded: cannot run "
                        + "'seq 3'");
            }
            assertThat(engine.metrics().rejected()).isEqualTo(4);
            assertThat(engine.metrics().acquired()).isEqualTo(2);
        }
        finally {
            a.dispose();
            b.dispose();
        }
    }

    @Test
    void aTimeoutIs504() {
        JsonNode r = post("/actions/sleep", 504);
        assertThat(r.get("error").asString()).isEqualTo("timeout");
        assertThat(r.get("message").asString())
                .isEqualTo("'sleep 10' timed out after 300ms (RUN); process tree killed, ended with signal 15 "
                        + "(SIGTERM)");
    }

    @Test
    void aBodyOverTheLimitIs413WhetherItsLengthIsKnownOrNot() {
        byte[] big = new byte[4096];
        byte[] known = client.post().uri("/actions/small-cat").bodyValue(big).exchange()
                .expectStatus().isEqualTo(413).expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(Json.parse(known).get("message").asString())
                .isEqualTo("request body is larger than the limit of 1024 bytes");

        Flux<DataBuffer> chunked = Flux.range(0, 8).map(i -> DefaultDataBufferFactory.sharedInstance.wrap(new byte[512]));
        byte[] streamed = client.post().uri("/actions/small-cat").body(chunked, DataBuffer.class).exchange()
                .expectStatus().isEqualTo(413).expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(Json.parse(streamed).get("error").asString()).isEqualTo("body-too-large");
    }

    @Test
    void theRequestBodyIsStreamedToStdin() throws Exception {
        byte[] payload = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(payload);
        JsonNode r = Json.parse(client.post().uri("/actions/wc").bodyValue(payload).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody());
        assertThat(r.get("stdout").asString().trim()).isEqualTo(Integer.toString(payload.length));

        byte[] echoed = client.post().uri("/actions/cat/stream").bodyValue(payload).exchange()
                .expectStatus().isOk().expectHeader().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(echoed).hasSize(payload.length);
        assertThat(sha256(echoed)).isEqualTo(sha256(payload));
    }

    @Test
    void aQuietEventStreamCarriesHeartbeatCommentsThatEventParsersIgnore() {
        ActionRegistry quiet = ActionRegistry.builder()
                .add(Action.builder("quiet", "sh", "-c", "sleep 2; echo done").build()).build();
        WebTestClient beating = WebFixture.client(ActionRoutes.builder(engine, quiet)
                .heartbeatInterval(Duration.ofSeconds(1)).build());
        String body = beating.post().uri("/actions/quiet/stream").accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        // the process is silent for its first two seconds: a comment comes first
        assertThat(body).startsWith(":\n\n");
        List<String[]> events = Json.events(body);
        assertThat(events).extracting(e -> e[0]).containsExactly("stdout", "exit");
        assertThat(Json.parse(events.get(0)[1]).get("text").asString()).isEqualTo("done\n");
    }

    @Test
    void theHeartbeatIntervalIsZeroOrAtLeastASecond() {
        ActionRoutes.Builder routes = ActionRoutes.builder(engine, TestActions.registry(base));
        assertThatThrownBy(() -> routes.heartbeatInterval(Duration.ofMillis(500)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("heartbeatInterval must be zero or >= 1s, was PT0.5S");
        assertThat(routes.heartbeatInterval(Duration.ZERO)).isSameAs(routes);
    }

    @Test
    void aStreamSendsStdoutStderrAndExitEvents() {
        String body = client.post().uri("/actions/chatty/stream").accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk().expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .expectBody(String.class).returnResult().getResponseBody();
        List<String[]> events = Json.events(body);
        StringBuilder stdout = new StringBuilder();
        StringBuilder stderr = new StringBuilder();
        for (String[] e : events.subList(0, events.size() - 1)) {
            (e[0].equals("stdout") ? stdout : stderr).append(Json.parse(e[1]).get("text").asString());
        }
        assertThat(stdout).hasToString("line1\nline2\n");
        assertThat(stderr).hasToString("warn\n");
        String[] exit = events.get(events.size() - 1);
        assertThat(exit[0]).isEqualTo("exit");
        assertThat(Json.parse(exit[1]).get("exitCode").asInt()).isEqualTo(2);
        assertThat(Json.parse(exit[1]).get("signal").isNull()).isTrue();
    }

    @Test
    void aStreamCanBeNdjson() {
        String body = client.post().uri("/actions/seq/stream?count=3").accept(MediaType.APPLICATION_NDJSON)
                .exchange().expectStatus().isOk().expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_NDJSON)
                .expectBody(String.class).returnResult().getResponseBody();
        String[] lines = body.split("\n");
        StringBuilder stdout = new StringBuilder();
        for (int i = 0; i < lines.length - 1; i++) {
            JsonNode line = Json.parse(lines[i]);
            assertThat(line.get("stream").asString()).isEqualTo("stdout");
            stdout.append(line.get("text").asString());
        }
        assertThat(stdout).hasToString("1\n2\n3\n");
        JsonNode exit = Json.parse(lines[lines.length - 1]);
        assertThat(exit.get("stream").asString()).isEqualTo("exit");
        assertThat(exit.get("exitCode").asInt()).isZero();
    }

    @Test
    void aTimeoutDuringAStreamEndsItWithAnErrorEvent() {
        String body = client.post().uri("/actions/sleep/stream").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        List<String[]> events = Json.events(body);
        assertThat(events).hasSize(1);
        assertThat(events.get(0)[0]).isEqualTo("error");
        JsonNode error = Json.parse(events.get(0)[1]);
        assertThat(error.get("status").asInt()).isEqualTo(504);
        assertThat(error.get("message").asString())
                .isEqualTo("'sleep 10' timed out after 300ms (RUN); process tree killed, ended with signal 15 "
                        + "(SIGTERM)");
    }

    @Test
    void aStreamIsCutAtTheActionsOutputLimit() {
        String body = client.post().uri("/actions/big/stream").accept(MediaType.APPLICATION_NDJSON).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        String[] lines = body.split("\n");
        JsonNode last = Json.parse(lines[lines.length - 1]);
        assertThat(last.get("stream").asString()).isEqualTo("error");
        assertThat(last.get("error").asString()).isEqualTo("output-limit");
        assertThat(last.get("message").asString())
                .isEqualTo("the output passed the action's limit of 1000 bytes; process tree killed");
    }

    @Test
    void aPathParameterStaysUnderItsBase() {
        JsonNode listing = post("/actions/ls", 200);
        assertThat(listing.get("stdout").asString()).isEqualTo("a.txt\n");
        JsonNode escape = post("/actions/ls?dir=../..", 400);
        assertThat(escape.get("rule").asString()).isEqualTo("path-escape");
    }

    @Test
    void healthMetricsAndTheActionListAreJson() {
        post("/actions/echo?message=x", 200);
        JsonNode health = Json.parse(client.get().uri("/health").exchange().expectStatus().isOk()
                .expectBody(byte[].class).returnResult().getResponseBody());
        assertThat(health.get("status").asString()).isEqualTo("UP");
        JsonNode metrics = metricsJson();
        assertThat(metrics.get("started").asLong()).isEqualTo(1);
        assertThat(metrics.get("succeeded").asLong()).isEqualTo(1);
        assertThat(metrics.get("maxConcurrency").asInt()).isEqualTo(2);
        assertThat(metrics.get("reservedBytes").asLong()).as("no stream runs").isZero();
        // a quiet stream keeps its whole reserve: its 64 KiB pipe, one 64 KiB read and the 16 KiB stop slack
        Disposable quiet = engine.stream(Command.of("sleep", "30")).subscribe();
        try {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> metricsJson().get("reservedBytes").asLong() == 144 * 1024);
        }
        finally {
            quiet.dispose();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> metricsJson().get("reservedBytes").asLong() == 0);
        JsonNode list = Json.parse(client.get().uri("/actions").exchange().expectStatus().isOk()
                .expectBody(byte[].class).returnResult().getResponseBody());
        assertThat(list.get("actions").get(0).get("name").asString()).isEqualTo("echo");
        assertThat(list.get("actions").get(0).get("parameters").get(0).get("rule").asString())
                .isEqualTo("must match [\\w ,.!?-]{0,200}");
    }

    private JsonNode metricsJson() {
        return Json.parse(client.get().uri("/metrics").exchange().expectStatus().isOk()
                .expectBody(byte[].class).returnResult().getResponseBody());
    }

    @Test
    void healthIs503DownOnceTheEngineIsClosed() {
        engine.close();
        byte[] body = client.get().uri("/health").exchange().expectStatus().isEqualTo(503)
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(Json.text(body)).isEqualTo("{\"status\":\"DOWN\"}");
        JsonNode refused = post("/actions/echo?message=hi", 503);
        assertThat(refused.get("error").asString()).isEqualTo("unavailable");
    }

    @Test
    void thePageIsHtml() {
        String page = client.get().uri("/").exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(page).contains("<title>procflux</title>");
    }

    @Test
    void aTokenIsRequiredWhenConfigured() {
        WebTestClient guarded = WebTestClient.bindToRouterFunction(ActionRoutes.builder(engine,
                TestActions.registry(base)).bearerToken("0123456789abcdef-secret").build()).build();
        byte[] denied = guarded.post().uri("/actions/echo?message=hi").exchange().expectStatus().isUnauthorized()
                .expectHeader().valueEquals("WWW-Authenticate", "Bearer")
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(Json.parse(denied).get("message").asString())
                .isEqualTo("this server requires 'Authorization: Bearer <token>'");
        guarded.post().uri("/actions/echo?message=hi").header("Authorization", "Bearer 0123456789abcdef-wrong!")
                .exchange().expectStatus().isUnauthorized();
        guarded.post().uri("/actions/echo?message=hi").header("Authorization", "Bearer 0123456789abcdef-secret")
                .exchange().expectStatus().isOk();
        guarded.get().uri("/health").exchange().expectStatus().isOk();
        guarded.get().uri("/").exchange().expectStatus().isOk();
        guarded.get().uri("/metrics").exchange().expectStatus().isUnauthorized();
        assertThat(engine.metrics().started()).isEqualTo(1);
    }

    static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static Map<String, String> none() {
        return Map.of();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
