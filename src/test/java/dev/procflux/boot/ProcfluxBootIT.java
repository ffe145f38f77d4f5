package dev.procflux.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.ProcessEngine;
import dev.procflux.testsupport.PipelinedRequests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Spring Boot application with procflux on its class path and no procflux Java code: everything comes from
 * properties and the actions file {@code classpath:dev/procflux/boot/actions.yaml}.
 */
@EnabledOnOs(OS.LINUX)
@SpringBootTest(classes = ProcfluxBootIT.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "procflux.web.enabled=true",
                "procflux.web.actions=classpath:dev/procflux/boot/actions.yaml",
                "procflux.engine.max-concurrency=3",
                "procflux.engine.kill-grace-period=500ms",
                "procflux.engine.shutdown-drain=7s",
                "procflux.engine.direct-reads=true",
                "procflux.engine.max-total-buffered-bytes=48MB",
                "procflux.web.allowed-hosts=procflux.example.com",
                "procflux.workers.echo.command=sh,-c,while IFS= read -r l; do printf 'echo:%s\\n' \"$l\"; done",
                "procflux.workers.echo.size.min=1",
                "procflux.workers.echo.size.max=2",
                "procflux.workers.echo.request-timeout=4s",
                "management.endpoints.web.exposure.include=health,prometheus",
                "management.endpoint.health.show-components=always",
                "management.endpoint.health.show-details=always" })
@AutoConfigureWebTestClient
// closed after the class, which stops its worker processes: other tests of this JVM check for leftover children
@DirtiesContext
class ProcfluxBootIT {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @Autowired
    WebTestClient client;

    @Autowired
    ProcessEngine engine;

    @Autowired
    ProcfluxWorkerPools pools;

    @Autowired
    ProcfluxLifecycle lifecycle;

    @LocalServerPort
    int port;

    @Test
    void propertiesOverrideTheActionsFileWhichOverridesTheDefaults() {
        assertThat(engine.options().maxConcurrency()).as("procflux.engine.max-concurrency").isEqualTo(3);
        assertThat(engine.options().maxPendingAcquire()).as("the actions file's engine.maxPendingAcquire")
                .isEqualTo(32);
        assertThat(engine.options().killGracePeriod()).isEqualTo(Duration.ofMillis(500));
        assertThat(engine.options().closeOnShutdown()).as("the engine's own JVM hook is off under Boot").isFalse();
        assertThat(engine.options().directReads()).as("procflux.engine.direct-reads").isTrue();
        assertThat(engine.options().maxTotalBufferedBytes()).as("procflux.engine.max-total-buffered-bytes")
                .isEqualTo(48L * 1024 * 1024);
        assertThat(lifecycle.drain()).isEqualTo(Duration.ofSeconds(7));
        assertThat(pools.names()).containsExactly("upper", "echo");
        assertThat(pools.text("echo").options().maxSize()).isEqualTo(2);
        assertThat(pools.text("echo").options().requestTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(pools.text("upper").options().maxSize()).isEqualTo(1);
    }

    @Test
    void theEngineStopsAfterTheWebServersGracefulShutdownAndBeforeTheServerItself(
            @Autowired ApplicationContext context) {
        // Spring stops the higher phases first
        int graceful = context.getBean("webServerGracefulShutdown", SmartLifecycle.class).getPhase();
        int serverStop = context.getBean("webServerStartStop", SmartLifecycle.class).getPhase();
        assertThat(lifecycle.getPhase()).isLessThan(graceful).isGreaterThan(serverStop);
    }

    @Test
    void theActionsAndWorkerPoolsAnswerUnderTheConfiguredPath() {
        JsonNode run = json(client.post().uri("/procflux/actions/seq?count=3").exchange().expectStatus().isOk());
        assertThat(run.get("stdout").asString()).isEqualTo("1\n2\n3\n");
        assertThat(run.get("exitCode").asInt()).isZero();

        client.post().uri("/procflux/actions/seq?count=0").exchange().expectStatus().isBadRequest();
        client.post().uri("/procflux/actions/seq?count=1").header("Host", "procflux.example.com").exchange()
                .expectStatus().isOk();
        client.post().uri("/procflux/actions/seq?count=1").header("Host", "evil.example.net").exchange()
                .expectStatus().isEqualTo(421);
        ownConnection().post().uri("/actions/seq?count=3").exchange().expectStatus().isNotFound();
        client.get().uri("/procflux/").exchange().expectStatus().isOk().expectHeader()
                .contentTypeCompatibleWith(MediaType.TEXT_HTML);

        JsonNode upper = json(client.post().uri("/procflux/workers/upper").contentType(MediaType.TEXT_PLAIN)
                .bodyValue("hello").exchange().expectStatus().isOk());
        assertThat(upper.get("reply").asString()).isEqualTo("HELLO");
        JsonNode echo = json(client.post().uri("/procflux/workers/echo").contentType(MediaType.TEXT_PLAIN)
                .bodyValue("hi there").exchange().expectStatus().isOk());
        assertThat(echo.get("reply").asString()).isEqualTo("echo:hi there");

        String stream = client.post().uri("/procflux/actions/seq/stream?count=2")
                .accept(MediaType.APPLICATION_NDJSON).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        StringBuilder stdout = new StringBuilder();
        String exit = null;
        for (String line : stream.split("\n")) {
            JsonNode event = JSON.readTree(line);
            if (event.get("stream").asString().equals("stdout")) {
                stdout.append(event.get("text").asString());
            }
            else if (event.get("stream").asString().equals("exit")) {
                exit = line;
            }
        }
        assertThat(stdout.toString()).isEqualTo("1\n2\n");
        assertThat(exit).contains("\"exitCode\":0");
    }

    @Test
    void aStreamedActionUnderDirectReadsDeliversStdoutByteForByteWithoutQueueingIt() throws Exception {
        int count = 700_000;
        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            expected.append(i).append('\n');
        }
        byte[] want = expected.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] got = client.mutate().codecs(c -> c.defaultCodecs().maxInMemorySize(16 << 20)).build()
                .post().uri("/procflux/actions/numbers/stream?count=" + count)
                .accept(MediaType.APPLICATION_OCTET_STREAM).exchange().expectStatus().isOk()
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(got).hasSize(want.length);
        assertThat(sha256(got)).isEqualTo(sha256(want));
        // read on the delivery scheduler as the response asks: no stdout chunk ever waits in the stream's queue,
        // and the actions of this application write nothing to stderr
        assertThat(engine.metrics().peakBufferedBytes()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().alive() == 0);
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aRequestPipelinedBehindARunningActionIsAnsweredAndTheConnectionReadsTheNextOne() throws IOException {
        PipelinedRequests.assertTheConnectionReadsOnAfterEachAnswer(port, "/procflux");
    }

    @Test
    void healthShowsTheEngineAndEveryWorkerPool() {
        JsonNode health = json(ownConnection().get().uri("/actuator/health/procflux").exchange().expectStatus().isOk());
        assertThat(health.get("status").asString()).isEqualTo("UP");
        JsonNode details = health.get("details");
        assertThat(details.get("maxConcurrency").asInt()).isEqualTo(3);
        assertThat(details.get("alive").asInt()).isZero();
        assertThat(details.get("workers").get("upper").get("alive").asInt()).isEqualTo(1);
        assertThat(details.get("workers").get("echo").has("acquired")).isTrue();
    }

    @Test
    void prometheusShowsTheEngineAndWorkerMetersWithoutPercentileHistograms() {
        client.post().uri("/procflux/actions/seq?count=2").exchange().expectStatus().isOk();
        client.post().uri("/procflux/workers/upper").contentType(MediaType.TEXT_PLAIN).bodyValue("x").exchange()
                .expectStatus().isOk();
        String scrape = ownConnection().get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(scrape)
                .contains("procflux_processes_duration_seconds_count{outcome=\"success\"}")
                .contains("procflux_slots_max 3.0")
                .contains("procflux_slots_acquire_seconds_count")
                .contains("procflux_workers_alive{pool=\"upper\"} 1.0")
                .contains("procflux_workers_requests_total{outcome=\"success\",pool=\"upper\"}")
                .contains("procflux_workers_allocation_seconds_count{outcome=\"success\",pool=\"echo\"}")
                .contains("procflux_slots_allocation_seconds_count{outcome=\"success\"}");
        assertThat(scrape.lines().filter(l -> l.startsWith("procflux_") && l.contains("_bucket{")))
                .as("no percentile histogram unless asked for").isEmpty();
    }

    /**
     * A client that opens a connection per request, for the application's handlers that are not procflux's (Spring's
     * 404, the actuator): under {@code -Pboot-bom} the server runs on Boot 4.0.7's reactor-netty 1.3.6, where one
     * answered within its handler could stop the server from reading the next request of a reused connection
     * (https://github.com/reactor/reactor-netty/issues/4361; 1.3.8 reads on); procflux's routes answer after their
     * handler returns, which the pipelining test checks on every version.
     */
    private WebTestClient ownConnection() {
        return WebTestClient.bindToServer(new ReactorClientHttpConnector(HttpClient.newConnection()))
                .baseUrl("http://localhost:" + port).build();
    }

    private static JsonNode json(WebTestClient.ResponseSpec response) {
        byte[] body = response.expectBody(byte[].class).returnResult().getResponseBody();
        return JSON.readTree(body);
    }
}
