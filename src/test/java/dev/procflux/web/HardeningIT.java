package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.ProcessEngine;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smaller holes of the HTTP face, each probed on a real socket as a client would: costly patterns, stream
 * status, body encodings, {@code Expect: 100-continue}, response headers, paths in messages.
 */
@EnabledOnOs(OS.LINUX)
class HardeningIT {
    @TempDir
    Path base;

    private WebFixture web;
    private ProcessEngine engine;
    private ActionServer server;
    private String host;

    @BeforeEach
    void setUp() throws Exception {
        Files.writeString(base.resolve("a.txt"), "a");
        engine = WebFixture.engine(8).maxPendingAcquire(16).build();
        ActionRegistry registry = ActionRegistry.builder()
                .add(Action.builder("evil", "echo", "{p}")
                        .parameter(Parameter.pattern("p", "(.*a){10}").maxLength(64).build()).build())
                .add(Action.builder("quiet", "sleep", "8").timeout(Duration.ofMinutes(1)).build())
                .add(Action.builder("raw-timeout", "sleep", "10").timeout(Duration.ofMillis(300))
                        .streamFormat(StreamFormat.RAW).build())
                .add(Action.builder("raw-silent-fail", "sh", "-c", "exit 3").streamFormat(StreamFormat.RAW).build())
                .add(Action.builder("seq", "seq", "{count}")
                        .parameter(Parameter.integer("count", 1, 10).build()).build())
                .add(Action.builder("offset", "echo", "{n}")
                        .parameter(Parameter.integer("n", -10, 10).build()).build())
                .add(Action.builder("printf", "printf", "%s", "{text}")
                        .parameter(Parameter.pattern("text", "(?s).*").build()).build())
                .add(Action.builder("small-cat", "cat").stdinFromBody(true).maxBodyBytes(1024).build())
                .add(Action.builder("ls", "ls", "{dir}")
                        .parameter(Parameter.path("dir", base).build()).build())
                .build();
        web = WebFixture.served(engine, ActionRoutes.builder(engine, registry).build());
        server = web.server();
        host = web.hostHeader();
    }

    @AfterEach
    void tearDown() {
        web.close();
    }

    private RawHttp.Response send(String body, String... head) {
        return RawHttp.send(server.port(), body, head);
    }

    @Test
    void aBacktrackingPatternCannotHoldTheNetworkThreads() throws Exception {
        List<CompletableFuture<RawHttp.Response>> attacks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            attacks.add(CompletableFuture.supplyAsync(() -> send("", "POST /actions/evil?p=" + "a".repeat(40)
                    + "! HTTP/1.1", host)));
        }
        RawHttp.Response health = send("", "GET /health HTTP/1.1", host);
        assertThat(health.status()).isEqualTo(200);
        for (CompletableFuture<RawHttp.Response> attack : attacks) {
            RawHttp.Response r = attack.get(30, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("\"rule\":\"pattern-too-costly\"");
        }
        assertThat(engine.metrics().started()).isZero();
    }

    @Test
    void aQuietStreamGetsItsStatusAsSoonAsTheProcessRuns() throws Exception {
        for (String accept : new String[] {"text/event-stream", "application/x-ndjson"}) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                // well below the 15 s heartbeat and the 8 s the process runs: the head must not wait for output,
                // exit or heartbeat
                s.setSoTimeout(5000);
                s.getOutputStream().write(("POST /actions/quiet/stream HTTP/1.1\r\n" + host + "\r\nAccept: " + accept
                        + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                String head = WebFixture.readHead(s.getInputStream());
                assertThat(head).as(accept).startsWith("HTTP/1.1 200 OK").contains("Content-Type: " + accept);
            }
            // the hang-up cancels the run; failing that, the process ends by itself after 8 s
            await().atMost(Duration.ofSeconds(12)).until(() -> engine.metrics().acquired() == 0);
        }
    }

    @Test
    void aRawStreamThatFailsBeforeAnyOutputGetsItsStatusAndAJsonError() {
        RawHttp.Response timeout = send("", "POST /actions/raw-timeout/stream HTTP/1.1", host,
                "Accept: application/octet-stream");
        assertThat(timeout.status()).isEqualTo(504);
        assertThat(timeout.header("content-type")).isEqualTo("application/json");
        assertThat(timeout.body()).contains("\"error\":\"timeout\"");
        RawHttp.Response failed = send("", "POST /actions/raw-silent-fail/stream HTTP/1.1", host,
                "Accept: application/octet-stream");
        assertThat(failed.status()).isEqualTo(502);
        assertThat(failed.body()).contains("\"error\":\"exit\"").contains("exit 3");
    }

    @Test
    void duplicateJsonKeysAreRefused() {
        RawHttp.Response r = send("{\"count\":2,\"count\":9}", "POST /actions/seq HTTP/1.1", host,
                "Content-Type: application/json");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("\"error\":\"invalid-body\"").contains("count");
        assertThat(engine.metrics().started()).isZero();
    }

    @Test
    void invalidUtf16AndUtf8AreRefusedNotTurnedIntoQuestionMarks() {
        RawHttp.Response surrogate = send("{\"text\":\"x\\ud800y\"}", "POST /actions/printf HTTP/1.1", host,
                "Content-Type: application/json");
        assertThat(surrogate.status()).isEqualTo(400);
        assertThat(surrogate.body()).contains("\"rule\":\"encoding\"");
        RawHttp.Response encodedSurrogate = send("", "POST /actions/printf?text=x%ED%A0%80y HTTP/1.1", host);
        assertThat(encodedSurrogate.status()).isEqualTo(400);
        assertThat(encodedSurrogate.body()).contains("\"rule\":\"encoding\"");
        RawHttp.Response badByte = send("", "POST /actions/printf?text=x%FFy HTTP/1.1", host);
        assertThat(badByte.status()).isEqualTo(400);
        assertThat(engine.metrics().started()).isZero();
        RawHttp.Response fine = send("", "POST /actions/printf?text=%C3%A9t%C3%A9%20%F0%9F%98%80 HTTP/1.1", host);
        assertThat(fine.body()).contains("\"stdout\":\"été 😀\"");
    }

    @Test
    void anOverLimitBodyAnnouncedWithExpectContinueGets413NotAReset() throws Exception {
        String[] requests = {"POST /actions/small-cat HTTP/1.1\r\n" + host + "\r\nContent-Length: 5000\r\n",
            "POST /actions/seq HTTP/1.1\r\n" + host + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100000\r\n"};
        for (String request : requests) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write((request + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                // curl sends the body only after 100 Continue: the final answer must come instead of it, and
                // without the body ever being asked for
                RawHttp.Response r = RawHttp.parse(RawHttp.readAll(s.getInputStream()));
                assertThat(r.status()).as(request).isEqualTo(413);
                assertThat(r.body()).contains("\"error\":\"body-too-large\"");
            }
        }
    }

    @Test
    void everyAnswerForbidsSniffingAndThePageCannotBeFramed() {
        RawHttp.Response page = send("", "GET / HTTP/1.1", host);
        assertThat(page.header("content-security-policy")).contains("frame-ancestors 'none'");
        assertThat(page.header("x-frame-options")).isEqualTo("DENY");
        assertThat(page.header("x-content-type-options")).isEqualTo("nosniff");
        assertThat(page.body()).contains("type=\"password\" id=\"token\"");
        assertThat(send("", "GET /actions HTTP/1.1", host).header("x-content-type-options")).isEqualTo("nosniff");
        assertThat(send("", "POST /actions/nope HTTP/1.1", host).header("x-content-type-options")).isEqualTo("nosniff");
    }

    @Test
    void serverPathsAreShownRelativeToTheActionsBase() {
        String absolute = base.toString();
        RawHttp.Response list = send("", "GET /actions HTTP/1.1", host);
        assertThat(list.body()).doesNotContain(absolute);
        RawHttp.Response escape = send("", "POST /actions/ls?dir=../.. HTTP/1.1", host);
        assertThat(escape.status()).isEqualTo(400);
        assertThat(escape.body()).contains("\"rule\":\"path-escape\"").doesNotContain(absolute);
        RawHttp.Response missing = send("", "POST /actions/ls?dir=nothing-here HTTP/1.1", host);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body()).contains("\"rule\":\"path-missing\"").doesNotContain(absolute);
    }

    @Test
    void aNegativeIntegerWithinTheDeclaredRangeIsAccepted() {
        RawHttp.Response r = send("", "POST /actions/offset?n=-5 HTTP/1.1", host);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("\"stdout\":\"-5\\n\"");
        assertThat(send("", "POST /actions/offset?n=-11 HTTP/1.1", host).body()).contains("\"rule\":\"range\"");
        assertThat(send("", "POST /actions/offset?n=--5 HTTP/1.1", host).status()).isEqualTo(400);
    }
}
