package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code procflux serve} as its own JVM, as an operator runs it: its environment, its signals and exit status,
 * and what a client can hold open on it.
 */
@EnabledOnOs(OS.LINUX)
class ServeProcessIT {
    private static final Pattern LISTENING = Pattern.compile("procflux serve: \\d+ actions on http://127\\.0\\.0\\.1:(\\d+)");
    private static final String TOKEN = "serve-process-token-0123456789";

    @TempDir
    Path dir;

    private Process serve;
    private Path stdout;
    private Path stderr;
    private int port;

    @AfterEach
    void tearDown() throws Exception {
        if (serve != null && serve.isAlive()) {
            serve.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }

    private void start(String yaml, String... options) throws Exception {
        Path config = dir.resolve("actions.yaml");
        Files.writeString(config, yaml);
        stdout = dir.resolve("stdout.txt");
        stderr = dir.resolve("stderr.txt");
        // env resets SIGINT: a test JVM started in the background by a non-interactive shell inherits it ignored,
        // and a JVM that starts with SIGINT ignored never handles it
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Runtime.version().feature() >= 22) {
            // as the CLI jar's manifest grants it: Netty's native transport loads a library
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.addAll(List.of("-cp", cliClassPath(), Main.class.getName(), "serve", "--config", config.toString(),
                "--port", "0"));
        cmd.addAll(List.of(options));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put(Serve.TOKEN_VARIABLE, TOKEN);
        pb.environment().put("AWS_SECRET_ACCESS_KEY", "server-secret-never-in-actions");
        serve = pb.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> LISTENING.matcher(read(stdout)).find() || !serve.isAlive());
        Matcher m = LISTENING.matcher(read(stdout));
        assertThat(m.find()).as("stdout: %s stderr: %s", read(stdout), read(stderr)).isTrue();
        port = Integer.parseInt(m.group(1));
    }

    /**
     * The test class path without SLF4J and the logging back ends and bridges that need it, which only test
     * libraries (Spring Boot's starters) bring: the CLI jar has none, so its loggers (Reactor Netty's access log
     * among them) write to the console, as here.
     */
    private static String cliClassPath() {
        List<String> logging = List.of("slf4j-", "logback-", "log4j-", "jul-to-slf4j-", "spring-boot-starter-logging-");
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(entry -> logging.stream().noneMatch(Path.of(entry).getFileName().toString()::startsWith))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }

    private String request(String head, String body) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write((head + "Host: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private int signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(serve.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(serve.waitFor(30, TimeUnit.SECONDS)).as("serve stops").isTrue();
        return serve.exitValue();
    }

    @Test
    void theServersTokenAndSecretsNeverReachAnActionOrAWorker() throws Exception {
        start("""
                actions:
                  env:
                    command: [env]
                workers:
                  envworker:
                    command: [sh, -c, 'while read -r l; do env | tr "\\n" " "; echo; done']
                """);
        String env = request("POST /actions/env HTTP/1.1\r\n", "");
        assertThat(env).contains("HTTP/1.1 200").contains("PATH=");
        assertThat(env).doesNotContain(TOKEN).doesNotContain(Serve.TOKEN_VARIABLE)
                .doesNotContain("server-secret-never-in-actions");
        String worker = request("POST /workers/envworker HTTP/1.1\r\n", "x");
        assertThat(worker).contains("HTTP/1.1 200").contains("PATH=");
        assertThat(worker).doesNotContain(TOKEN).doesNotContain("server-secret-never-in-actions");
    }

    @Test
    void sigtermIsAGracefulStopThatExitsZero() throws Exception {
        start("actions:\n  seq:\n    command: [seq, '3']\n");
        assertThat(request("POST /actions/seq HTTP/1.1\r\n", "")).contains("HTTP/1.1 200");
        assertThat(signal("TERM")).isZero();
        assertThat(read(stdout)).endsWith("procflux serve: stopped\n");
    }

    @Test
    void ctrlCIsAGracefulStopThatExitsZero() throws Exception {
        start("actions:\n  seq:\n    command: [seq, '3']\n");
        assertThat(signal("INT")).isZero();
        assertThat(read(stdout)).endsWith("procflux serve: stopped\n");
    }

    @Test
    void aStopThatKillsRunningActionsAfterTheDrainPeriodSaysSo() throws Exception {
        start("actions:\n  sleeper:\n    command: [sh, -c, 'echo started; exec sleep 60']\n    timeout: 2m\n",
                "--drain-timeout", "1s");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("POST /actions/sleeper/stream HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nAuthorization: Bearer " + TOKEN + "\r\nAccept: application/x-ndjson\r\n"
                    + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            StringBuilder seen = new StringBuilder();
            while (!seen.toString().contains("started")) {
                int b = in.read();
                assertThat(b).as("stream so far: %s", seen).isNotNegative();
                seen.append((char) b);
            }
            assertThat(signal("TERM")).isZero();
        }
        assertThat(read(stderr)).contains("procflux serve: killed 1 running action after the drain period of 1s");
        assertThat(read(stdout)).endsWith("procflux serve: stopped\n");
    }

    @Test
    void halfSentRequestsAreTimedOutAndConnectionsBeyondTheCapRefused() throws Exception {
        start("actions:\n  seq:\n    command: [seq, '3']\n", "--max-connections", "20",
                "--request-read-timeout", "1s");
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 25; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(20_000);
                // a slow client's request head, never finished
                OutputStream out = s.getOutputStream();
                out.write("GET /health HTTP/1.1\r\nHost: 127.0.".getBytes(StandardCharsets.UTF_8));
                out.flush();
                sockets.add(s);
            }
            int refused = 0;
            int timedOut = 0;
            for (Socket s : sockets) {
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (answer.startsWith("HTTP/1.1 503")) {
                    assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("retry-after: 1").contains("\"error\":\"too-many-connections\"");
                    refused++;
                }
                else {
                    assertThat(answer).startsWith("HTTP/1.1 408").contains("\"error\":\"request-timeout\"");
                    timedOut++;
                }
            }
            assertThat(refused).isEqualTo(5);
            assertThat(timedOut).isEqualTo(20);
        }
        finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        assertThat(request("GET /health HTTP/1.1\r\n", "")).startsWith("HTTP/1.1 200");
        assertThat(read(stderr)).doesNotContain("WARN");
    }

    @Test
    void clientsThatResetTheirConnectionsCannotFloodTheLog() throws Exception {
        start("actions:\n  seq:\n    command: [seq, '3']\n");
        for (int i = 0; i < 40; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                // half a head, or a head with half its body; then a reset (linger 0), as a killed client leaves it
                s.getOutputStream().write((i % 2 == 0 ? "GET /health HTTP/1.1\r\nHo"
                        : "POST /actions/seq HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n"
                                + "Content-Type: application/json\r\n\r\n{\"co").getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
                s.setSoLinger(true, 0);
            }
        }
        assertThat(request("GET /health HTTP/1.1\r\n", "")).startsWith("HTTP/1.1 200");
        String log = read(stdout) + read(stderr);
        assertThat(log).doesNotContain("Decoding failed").doesNotContain("onErrorDropped").doesNotContain("WARN")
                .doesNotContain("ERROR");
        assertThat(log.lines().filter(l -> l.contains("aborted during a request")).count()).isLessThanOrEqualTo(1);
    }

    @Test
    void theAccessLogShowsEachRequest() throws Exception {
        start("actions:\n  seq:\n    command: [seq, '3']\n", "--access-log");
        assertThat(request("POST /actions/seq HTTP/1.1\r\n", "")).contains("HTTP/1.1 200");
        // Reactor Netty's logger: the console (stdout) without SLF4J, else wherever SLF4J sends it
        await().atMost(Duration.ofSeconds(10)).until(() -> (read(stdout) + read(stderr))
                .contains("\"POST /actions/seq HTTP/1.1\" 200"));
    }
}
