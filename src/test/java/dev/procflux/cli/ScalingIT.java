package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What docs/scaling.md shows: the Indexed Job manifest (as YAML, with its fields consistent) and the nginx
 * configuration that retries an overloaded instance's 503 on another {@code procflux serve}, run for real. Fails
 * where nginx is not installed (Debian package {@code nginx}, installed by CI).
 */
@EnabledOnOs(OS.LINUX)
class ScalingIT {
    private static final Path DOC = Path.of("docs/scaling.md");
    private static final Pattern LISTENING = Pattern.compile("procflux serve: \\d+ actions on (http://\\S+)");

    @TempDir
    Path dir;

    private final List<Main> servers = new ArrayList<>();
    private final List<CompletableFuture<Integer>> exits = new ArrayList<>();
    private Process nginx;

    @AfterEach
    void stop() throws Exception {
        if (nginx != null) {
            nginx.destroy();
            assertThat(nginx.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        servers.forEach(Main::interrupt);
        for (CompletableFuture<Integer> exit : exits) {
            assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.current().descendants()
                .noneMatch(ProcessHandle::isAlive));
    }

    private static List<String> blocks(String language) throws IOException {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("(?s)```" + language + "\n(.*?)```").matcher(Files.readString(DOC));
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    @Test
    @SuppressWarnings("unchecked")
    void theIndexedJobManifestIsValidYamlWithItsShardCountEqualToItsCompletions() throws IOException {
        List<String> yaml = blocks("yaml");
        assertThat(yaml).hasSize(1);
        Map<String, Object> job = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(yaml.get(0));
        assertThat(job).containsEntry("apiVersion", "batch/v1").containsEntry("kind", "Job");
        Map<String, Object> spec = (Map<String, Object>) job.get("spec");
        assertThat(spec).containsEntry("completionMode", "Indexed");
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
        assertThat(pod).containsEntry("restartPolicy", "Never");
        Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
        List<String> args = (List<String>) container.get("args");
        assertThat(String.join(" ", args)).contains("run --shard auto");
        List<Map<String, Object>> env = (List<Map<String, Object>>) container.get("env");
        String count = env.stream().filter(e -> e.get("name").equals("JOB_COMPLETION_COUNT"))
                .map(e -> (String) e.get("value")).findFirst().orElseThrow();
        assertThat(Integer.parseInt(count)).isEqualTo(spec.get("completions"));
        assertThat(Shard.parse("auto", Map.of("JOB_COMPLETION_INDEX", "7",
                "JOB_COMPLETION_COUNT", count))).isEqualTo(new Shard(7, 8));
        // the rest parses as procflux run's options (auto as the pod would resolve it: this JVM has no index)
        List<String> asInPod = new ArrayList<>(args.subList(1, args.size()));
        asInPod.set(asInPod.indexOf("auto"), "7/" + count);
        assertThat(RunOptions.parse(asInPod).jobs()).isEqualTo(4);
    }

    @Test
    void nginxRetriesAnOverloadedInstancesRequestsOnTheOtherInstance() throws Exception {
        Path nginxBinary = List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx").stream()
                .map(Path::of).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError("nginx is not installed (Debian package 'nginx'); "
                        + "this test runs docs/scaling.md's configuration"));
        // instance A: one slot and no queue, so one long request overloads it; B has room
        String busy = serve("a", 1, 0);
        String free = serve("b", 4, 8);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        CompletableFuture<HttpResponse<String>> hold = http.sendAsync(post(busy + "/actions/hold"),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> http.send(HttpRequest.newBuilder(URI.create(busy
                + "/health")).build(), HttpResponse.BodyHandlers.ofString()).body().contains("\"alive\":1"));
        HttpResponse<String> direct = http.send(post(busy + "/actions/who"), HttpResponse.BodyHandlers.ofString());
        assertThat(direct.statusCode()).isEqualTo(503);
        assertThat(direct.headers().firstValue("Retry-After")).isPresent();

        int port = freePort();
        String upstream = blocks("nginx").get(0)
                .replace("server 10.0.0.11:8080;", "server " + URI.create(busy).getAuthority() + ";")
                .replace("server 10.0.0.12:8080;", "server " + URI.create(free).getAuthority() + ";")
                .replace("listen 80;", "listen 127.0.0.1:" + port + ";");
        assertThat(upstream).doesNotContain("10.0.0.");
        Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                "daemon off;", "pid " + dir.resolve("nginx.pid") + ";", "error_log " + dir.resolve("error.log") + ";",
                "events { worker_connections 64; }",
                "http {", "log_format upstreams '$request_method $uri $status statuses=$upstream_status';",
                "access_log " + dir.resolve("access.log") + " upstreams;",
                "client_body_temp_path " + dir + "/body;", "proxy_temp_path " + dir + "/proxy;",
                "fastcgi_temp_path " + dir + "/fastcgi;", "uwsgi_temp_path " + dir + "/uwsgi;",
                "scgi_temp_path " + dir + "/scgi;", upstream, "}", ""));
        nginx = new ProcessBuilder(nginxBinary.toString(), "-p", dir.toString(), "-c",
                dir.resolve("nginx.conf").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile()).start();
        String balanced = "http://127.0.0.1:" + port;
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(
                URI.create(balanced + "/health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);

        // round robin sends every other request to A first; A's 503 is retried on B, so every request succeeds
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = http.send(post(balanced + "/actions/who"), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"stdout\":\"b\\n\"");
        }
        // the upstream statuses of a retried request read "503, 200": A answered 503, then B 200; the 503 also
        // counts as a failure of A (max_fails=1, fail_timeout=10s by default), so later requests go to B directly
        assertThat(Files.readAllLines(dir.resolve("access.log"))).as("nginx's access log")
                .filteredOn(l -> l.startsWith("POST /actions/who 200 statuses=503, 200")).isNotEmpty();
        assertThat(hold.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    private String serve(String name, int maxConcurrency, int maxPendingAcquire) throws IOException {
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, String.join("\n",
                "engine:", "  maxConcurrency: " + maxConcurrency, "  maxPendingAcquire: " + maxPendingAcquire,
                "actions:", "  who:", "    command: [echo, " + name + "]",
                "  hold:", "    command: [sleep, \"3\"]", ""));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Main main = new Main(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        servers.add(main);
        // a thread of its own per server: the common pool may have a single thread (2 CPUs), which the first
        // server would keep for as long as it runs
        exits.add(CompletableFuture.supplyAsync(() -> main.run("serve", "--config", config.toString(), "--port",
                "0"), task -> new Thread(task, "serve").start()));
        await().atMost(Duration.ofSeconds(20)).until(() -> LISTENING.matcher(text(out)).find());
        Matcher m = LISTENING.matcher(text(out));
        assertThat(m.find()).as(text(err)).isTrue();
        return m.group(1).replaceAll("/$", "");
    }

    private static String text(ByteArrayOutputStream s) {
        synchronized (s) {
            return s.toString(StandardCharsets.UTF_8);
        }
    }

    private static HttpRequest post(String uri) {
        return HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
