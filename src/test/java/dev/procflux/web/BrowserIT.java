package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTML page in a real browser: headless Chromium, driven through chromedriver's W3C WebDriver protocol, picks an
 * action, fills in its parameter, runs it, and sees the first line of output appear while the process still runs,
 * then the rest and the exit. Skipped when Chromium or chromedriver is not installed
 * ({@code apt-get install -y chromium chromium-driver}).
 */
@EnabledOnOs(OS.LINUX)
class BrowserIT {
    private static final List<Path> CHROMIUM = List.of(Path.of("/usr/bin/chromium"),
            Path.of("/usr/bin/chromium-browser"), Path.of("/usr/bin/google-chrome"));
    private static final List<Path> DRIVER = List.of(Path.of("/usr/bin/chromedriver"),
            Path.of("/usr/lib/chromium/chromedriver"));
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private String driverUrl;

    @Test
    void thePageRunsAnActionAndShowsItsOutputWhileItStreams() throws Exception {
        Path chromium = CHROMIUM.stream().filter(Files::isExecutable).findFirst().orElse(null);
        Path chromedriver = DRIVER.stream().filter(Files::isExecutable).findFirst().orElse(null);
        assertThat(chromium).as("Chromium is required (CI installs it), looked for at %s", CHROMIUM).isNotNull();
        assertThat(chromedriver).as("chromedriver is required (CI installs it), looked for at %s", DRIVER).isNotNull();
        Path gate = dir.resolve("gate");
        // prints a line, then waits for the test to open the gate: the page must show the first line meanwhile
        ActionRegistry registry = ActionRegistry.builder()
                .add(Action.builder("gated", "sh", "-c", "echo \"hello $1\"; while [ ! -e \"$2\" ]; do sleep 0.02; "
                        + "done; echo bye; echo warning >&2", "gated", "{name}", gate.toString())
                        .description("greets, waits, leaves")
                        .parameter(Parameter.pattern("name", "[a-z]{1,20}").defaultValue("world").build())
                        .build())
                .build();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        driverUrl = "http://127.0.0.1:" + port;
        Process driver = new ProcessBuilder(chromedriver.toString(), "--port=" + port)
                .redirectOutput(dir.resolve("chromedriver.log").toFile()).redirectErrorStream(true).start();
        try (ProcessEngine engine = ProcessEngine.builder().maxConcurrency(2).build();
                ActionServer server = ActionServer.start(ActionRoutes.builder(engine, registry).build(), "127.0.0.1",
                        0)) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> call("GET", "/status", null).get("value").get("ready").asBoolean());
            Map<String, Object> options = Map.of("binary", chromium.toString(), "args", List.of("--headless",
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage",
                    "--user-data-dir=" + dir.resolve("profile")));
            String session = call("POST", "/session", Map.of("capabilities", Map.of("alwaysMatch",
                    Map.of("browserName", "chrome", "goog:chromeOptions", options))))
                    .get("value").get("sessionId").asString();
            try {
                String s = "/session/" + session;
                call("POST", s + "/url", Map.of("url", server.url() + "/"));
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                        .until(() -> !element(s, "#select-gated").isEmpty());
                click(s, element(s, "#select-gated"));
                String input = element(s, "#param-name");
                call("POST", s + "/element/" + input + "/clear", Map.of());
                call("POST", s + "/element/" + input + "/value", Map.of("text", "procflux"));
                click(s, element(s, "#run"));

                await().alias("the first line shows while the process runs").atMost(Duration.ofSeconds(20))
                        .until(() -> script(s, "return document.getElementById('output').textContent")
                                .equals("hello procflux\n"));
                assertThat(script(s, "return document.getElementById('status').dataset.state")).isEqualTo("running");
                assertThat(engine.metrics().alive()).isEqualTo(1);

                Files.createFile(gate);
                await().alias("the exit shows").atMost(Duration.ofSeconds(20))
                        .until(() -> script(s, "return document.getElementById('status').dataset.state")
                                .equals("exited"));
                assertThat(script(s, "return document.getElementById('output').textContent"))
                        .isEqualTo("hello procflux\nbye\nwarning\n");
                assertThat(script(s, "return document.querySelector('#output .stderr').textContent"))
                        .isEqualTo("warning\n");
                assertThat(script(s, "return document.getElementById('status').textContent")).startsWith("exit 0 after ");
            }
            finally {
                call("DELETE", "/session/" + session, null);
            }
            assertThat(engine.metrics().succeeded()).isEqualTo(1);
        }
        finally {
            driver.descendants().forEach(ProcessHandle::destroyForcibly);
            driver.destroyForcibly();
        }
        Children.awaitNone();
    }

    private String element(String session, String css) throws Exception {
        JsonNode v = call("POST", session + "/element", Map.of("using", "css selector", "value", css)).get("value");
        return v.has(ELEMENT) ? v.get(ELEMENT).asString() : "";
    }

    private void click(String session, String element) throws Exception {
        call("POST", session + "/element/" + element + "/click", Map.of());
    }

    private String script(String session, String script) throws Exception {
        return call("POST", session + "/execute/sync", Map.of("script", script, "args", List.of()))
                .get("value").asString();
    }

    private JsonNode call(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(driverUrl + path))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(response.body());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("WebDriver " + method + " " + path + ": " + response.statusCode() + " "
                    + response.body());
        }
        return json;
    }
}
