package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.BackpressurePolicy;
import dev.procflux.EngineOptions;
import dev.procflux.ProcessEngine;
import dev.procflux.testsupport.ProcFs;
import dev.procflux.web.ActionsFile;
import java.io.ByteArrayInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/** {@code procflux serve} end to end, with the example actions file, on loopback and an ephemeral port. */
@EnabledOnOs(OS.LINUX)
class ServeIT {
    private static final Pattern LISTENING = Pattern.compile("procflux serve: (\\d+) actions on (http://\\S+)");
    private static final Path EXAMPLE = Path.of("docs/examples/actions.yaml");

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private Main main;
    private CompletableFuture<Integer> exit;

    @AfterEach
    void stop() throws Exception {
        if (main != null) {
            main.interrupt();
            assertThat(exit.get(20, java.util.concurrent.TimeUnit.SECONDS)).isZero();
            assertThat(text(out)).endsWith("procflux serve: stopped\n");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.current().children().count() == 0);
    }

    private String start(String... args) {
        main = new Main(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        exit = CompletableFuture.supplyAsync(() -> main.run(args));
        await().alias("serve prints where it listens; stderr: " + text(err)).atMost(Duration.ofSeconds(20))
                .until(() -> LISTENING.matcher(text(out)).find() || exit.isDone());
        Matcher m = LISTENING.matcher(text(out));
        assertThat(m.find()).as("stdout: %s, stderr: %s", text(out), text(err)).isTrue();
        return m.group(2);
    }

    private static String text(ByteArrayOutputStream s) {
        synchronized (s) {
            return s.toString(StandardCharsets.UTF_8);
        }
    }

    private static String[] post(HttpClient client, String uri, String body) {
        return client.post().uri(uri).send(ByteBufFlux.fromString(Mono.just(body)))
                .responseSingle((r, b) -> b.asString().defaultIfEmpty("")
                        .map(s -> new String[] {Integer.toString(r.status().code()), s}))
                .block(Duration.ofSeconds(20));
    }

    @Test
    void theExampleActionsWorkOutOfTheBox() {
        String url = start("serve", "--config", EXAMPLE.toString(), "--port", "0");
        assertThat(text(out)).startsWith("procflux serve: 6 actions on http://127.0.0.1:");
        HttpClient client = HttpClient.create().baseUrl(url);

        String[] echo = post(client, "/actions/echo?message=hi%20there", "");
        assertThat(echo[0]).isEqualTo("200");
        assertThat(echo[1]).contains("\"stdout\":\"hi there\\n\"");

        String[] date = post(client, "/actions/date?format=%2B%25s", "");
        assertThat(date[0]).isEqualTo("200");
        assertThat(date[1]).matches("(?s).*\"stdout\":\"\\d+\\\\n\".*");

        String[] wc = post(client, "/actions/wc", "x".repeat(12345));
        assertThat(wc[1]).contains("\"stdout\":\"12345\\n\"");

        String[] seq = post(client, "/actions/seq?count=3", "");
        assertThat(seq[1]).contains("\"stdout\":\"1\\n2\\n3\\n\"");
        assertThat(post(client, "/actions/seq?count=0", "")[0]).isEqualTo("400");

        String[] countdown = client.post().uri("/actions/countdown/stream?from=2")
                .responseSingle((r, b) -> b.asString().map(s -> new String[] {Integer.toString(r.status().code()), s}))
                .block(Duration.ofSeconds(20));
        assertThat(countdown[1]).contains("event: stdout").contains("liftoff").contains("event: exit");

        String[] ls = post(client, "/actions/ls", "");
        assertThat(ls[1]).contains("actions.yaml");
        String[] escape = post(client, "/actions/ls?dir=../../..", "");
        assertThat(escape[0]).isEqualTo("400");
        assertThat(escape[1]).contains("\"rule\":\"path-escape\"");
    }

    @Test
    void theExampleWorkerPoolAnswersAndItsErrorsNameIt() throws Exception {
        String url = start("serve", "--config", EXAMPLE.toString(), "--port", "0");
        assertThat(text(out)).contains(" with worker pools [upper]\n");
        HttpClient client = HttpClient.create().baseUrl(url);

        String[] upper = post(client, "/workers/upper", "hello procflux");
        assertThat(upper[0]).isEqualTo("200");
        assertThat(upper[1]).isEqualTo("{\"reply\":\"HELLO PROCFLUX\"}");
        String[] again = post(client, "/workers/upper", "again");
        assertThat(again[1]).isEqualTo("{\"reply\":\"AGAIN\"}");

        String[] unknown = post(client, "/workers/lower", "x");
        assertThat(unknown[0]).isEqualTo("404");
        assertThat(unknown[1]).contains("\"message\":\"no worker pool named 'lower'\"");
        String[] newline = post(client, "/workers/upper", "two\nlines");
        assertThat(newline[0]).isEqualTo("400");
        assertThat(newline[1]).contains("\"error\":\"invalid-body\"").contains("\"pool\":\"upper\"");
    }

    @Test
    void anInvalidWorkersSectionIsAUsageErrorNamingThePoolAndKey() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "actions: {}\nworkers:\n  w:\n    command: [cat]\n"
                + "    protocl: lines\n");
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status = new Serve(Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(e, true, StandardCharsets.UTF_8)).execute(List.of("--config", bad.toString()));
        assertThat(status).isEqualTo(2);
        assertThat(text(e)).startsWith("procflux serve: " + bad + ": worker pool 'w': unknown worker key 'protocl'; "
                + "expected one of [command, idempotentRetries, maxIdle, maxLifetime, maxPendingAcquire, "
                + "maxRequestsPerWorker, maxStartAttempts, protocol, requestTimeout, size, startBackoff]\n");
    }

    @Test
    void theEngineSectionTakesEveryKeyOfTheActionsFileFormat() throws Exception {
        Path file = Files.writeString(dir.resolve("engine.yaml"), "engine:\n  maxConcurrency: 2\n"
                + "  backpressure: fail\n  maxBufferedBytes: 1048576\nactions:\n  seq:\n    command: [seq, '3']\n");
        String url = start("serve", "--config", file.toString(), "--port", "0");
        String[] seq = post(HttpClient.create().baseUrl(url), "/actions/seq", "");
        assertThat(seq[0]).isEqualTo("200");
        assertThat(seq[1]).contains("\"stdout\":\"1\\n2\\n3\\n\"");
    }

    @Test
    void aStreamedActionUnderDirectReadsDeliversStdoutByteForByteWithoutQueueingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("direct.yaml"), "engine:\n  directReads: true\nactions:\n"
                + "  numbers:\n    command: [seq, '{count}']\n    maxOutputBytes: 8388608\n    parameters:\n"
                + "      count: {type: integer, min: 1, max: 1000000}\n");
        String url = start("serve", "--config", file.toString(), "--port", "0");
        int count = 700_000;
        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            expected.append(i).append('\n');
        }
        byte[] want = expected.toString().getBytes(StandardCharsets.US_ASCII);
        HttpClient client = HttpClient.create().baseUrl(url);
        byte[] got = client.headers(h -> h.set("Accept", "application/octet-stream")).post()
                .uri("/actions/numbers/stream?count=" + count)
                .responseSingle((r, b) -> {
                    assertThat(r.status().code()).isEqualTo(200);
                    return b.asByteArray();
                })
                .block(Duration.ofSeconds(30));
        assertThat(got).hasSize(want.length);
        assertThat(sha256(got)).isEqualTo(sha256(want));
        // stdout read as the response asks never waits in the stream's queue
        String metrics = client.get().uri("/metrics").responseSingle((r, b) -> b.asString())
                .block(Duration.ofSeconds(20));
        assertThat(metrics).contains("\"peakBufferedBytes\":0");
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aDirectReadsValueThatIsNotABooleanIsAUsageErrorNamingTheKeyAndValue() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "engine:\n  directReads: yes\nactions: {}\n");
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status = new Serve(Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(e, true, StandardCharsets.UTF_8)).execute(List.of("--config", bad.toString()));
        assertThat(status).isEqualTo(2);
        assertThat(text(e)).isEqualTo("procflux serve: " + bad + ": engine: 'directReads' must be true or false, "
                + "was 'yes'\nTry 'procflux serve --help'.\n");
    }

    @Test
    void anInvalidEngineSectionIsAUsageErrorNamingTheKeyAndValue() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "engine:\n  maxConcurrency: 0\nactions: {}\n");
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status = new Serve(Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(e, true, StandardCharsets.UTF_8)).execute(List.of("--config", bad.toString()));
        assertThat(status).isEqualTo(2);
        assertThat(text(e)).isEqualTo("procflux serve: " + bad + ": engine: maxConcurrency must be >= 1, was 0\n"
                + "Try 'procflux serve --help'.\n");
    }

    @Test
    void theEngineSectionsBufferLimitsReachServesEngine() {
        EngineOptions o = Serve.engine(ActionsFile.parse("engine:\n  maxTotalBufferedBytes: 33554432\n"
                + "  maxBufferedBytes: 2097152\n  backpressure: fail\nactions: {}\n", dir)).buildOptions();
        assertThat(o.maxTotalBufferedBytes()).isEqualTo(32L * 1024 * 1024);
        assertThat(o.maxBufferedBytes()).isEqualTo(2L * 1024 * 1024);
        assertThat(o.backpressure()).isEqualTo(BackpressurePolicy.FAIL);
        assertThat(o.maxPendingAcquire()).as("serve's own default").isEqualTo(Serve.DEFAULT_MAX_PENDING_ACQUIRE);
    }

    @Test
    void aBufferBudgetTheEngineRefusesIsAUsageErrorNamingTheKeyAndValue() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "engine:\n  maxTotalBufferedBytes: 4096\nactions: {}\n");
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status = new Serve(Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(e, true, StandardCharsets.UTF_8)).execute(List.of("--config", bad.toString()));
        assertThat(status).isEqualTo(2);
        assertThat(text(e)).isEqualTo("procflux serve: " + bad + ": engine: maxTotalBufferedBytes must be >= 65536 "
                + "or negative (no limit), was 4096\nTry 'procflux serve --help'.\n");
    }

    @Test
    void withoutAnEngineSectionServeQueuesUpTo64Requests() {
        ProcessEngine.Builder b = Serve.engine(ActionsFile.parse("actions: {}\n", dir));
        assertThat(b.buildOptions().maxPendingAcquire()).isEqualTo(Serve.DEFAULT_MAX_PENDING_ACQUIRE).isEqualTo(64);
        assertThat(Serve.engine(ActionsFile.parse("engine: {maxPendingAcquire: 5}\nactions: {}\n", dir))
                .buildOptions().maxPendingAcquire()).isEqualTo(5);
    }

    @Test
    void aTokenFileProtectsTheActions() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "correct-horse-battery-staple\n");
        String url = start("serve", "--config", EXAMPLE.toString(), "--port", "0", "--token-file", token.toString());
        assertThat(text(out)).contains("(bearer token required)");
        HttpClient client = HttpClient.create().baseUrl(url);
        assertThat(post(client, "/actions/echo", "")[0]).isEqualTo("401");
        String[] ok = post(client.headers(h -> h.set("Authorization", "Bearer correct-horse-battery-staple")),
                "/actions/echo", "");
        assertThat(ok[0]).isEqualTo("200");
    }

    @Test
    void aNonLoopbackAddressNeedsAToken() {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status = new Serve(Map.of(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8))
                .execute(List.of("--config", EXAMPLE.toString(), "--host", "0.0.0.0", "--port", "0"));
        assertThat(status).isEqualTo(2);
        assertThat(text(e)).isEqualTo("procflux serve: binding 0.0.0.0 (not a loopback address) requires a bearer "
                + "token: --token-file FILE or the PROCFLUX_TOKEN environment variable\n"
                + "Try 'procflux serve --help'.\n");
    }

    @Test
    void aShortTokenIsRefused() {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status = new Serve(Map.of("PROCFLUX_TOKEN", "short"), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(e, true, StandardCharsets.UTF_8))
                .execute(List.of("--config", EXAMPLE.toString()));
        assertThat(status).isEqualTo(2);
        assertThat(text(e)).startsWith("procflux serve: the bearer token must have at least 16 characters, had 5\n");
    }

    @Test
    void anInvalidActionsFileIsAUsageErrorNamingTheActionAndKey() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "actions:\n  x:\n    command: [echo, \"--{v}\"]\n"
                + "    parameters:\n      v: {type: string, pattern: a}\n");
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status = new Serve(Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(e, true, StandardCharsets.UTF_8)).execute(List.of("--config", bad.toString()));
        assertThat(status).isEqualTo(2);
        assertThat(text(e)).startsWith("procflux serve: " + bad + ": action 'x': a placeholder must be a "
                + "whole argv element, was '--{v}'\n");
    }

    @ParameterizedTest
    @CsvSource({"'', 262144", "--send-buffer=1M, 1048576", "--send-buffer=16K, 16384"})
    void eachConnectionHasTheSendBufferAskedFor(String option, int bytes) throws Exception {
        String url = option.isEmpty() ? start("serve", "--config", EXAMPLE.toString(), "--port", "0")
                : start("serve", "--config", EXAMPLE.toString(), "--port", "0", option);
        // setsockopt caps the value at net.core.wmem_max, and Linux doubles what it sets for its own overhead
        int expected = 2 * Math.min(bytes, ProcFs.wmemMax());
        assertThat(serverSideSendBuffer(URI.create(url).getPort())).isEqualTo(expected);
    }

    @Test
    void withSendBufferKernelTheKernelSizesEachConnectionsSendBuffer() throws Exception {
        String url = start("serve", "--config", EXAMPLE.toString(), "--port", "0", "--send-buffer", "kernel");
        assertThat(serverSideSendBuffer(URI.create(url).getPort()))
                .isNotEqualTo(2 * Math.min(256 * 1024, ProcFs.wmemMax()));
    }

    /** Opens a kept-alive connection, has one request answered on it, and reads the accepted socket's send buffer. */
    private static int serverSideSendBuffer(int port) throws Exception {
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            BufferedReader reader = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.US_ASCII));
            assertThat(reader.readLine()).isEqualTo("HTTP/1.1 200 OK");
            List<Integer> buffers = ProcFs.sendBuffers(port);
            assertThat(buffers).as("the server side of the one connection").hasSize(1);
            return buffers.get(0);
        }
    }
}
