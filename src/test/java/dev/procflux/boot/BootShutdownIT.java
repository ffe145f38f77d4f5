package dev.procflux.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.testsupport.ProcFs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * SIGTERM to a real Spring Boot process with {@code server.shutdown=graceful}: a streamed action in flight runs to
 * its end, because the engine stops only after the web server's graceful shutdown, and nothing is left behind.
 */
@EnabledOnOs(OS.LINUX)
class BootShutdownIT {

    @Test
    void sigtermDuringAStreamedActionLetsTheActionFinishThenTheJvmExitsWithNothingLeft() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                BootShutdownChild.class.getName()).redirectErrorStream(true).start();
        List<String> childOutput = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String port = null;
            String line;
            while ((line = out.readLine()) != null) {
                childOutput.add(line);
                if (line.startsWith("port ")) {
                    port = line.substring(5).trim();
                    break;
                }
            }
            assertThat(port).as("the child printed its port: %s", childOutput).isNotNull();
            Thread drainer = new Thread(() -> out.lines().forEach(childOutput::add), "child-output");
            drainer.setDaemon(true);
            drainer.start();

            HttpClient http = HttpClient.newHttpClient();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/procflux/actions/slow/stream")).header("Accept", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build();
            HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            List<String> events = new ArrayList<>();
            List<Long> descendants;
            Iterator<String> lines = response.body().iterator();
            events.add(lines.next());
            assertThat(events.get(0)).contains("line 1");
            descendants = child.descendants().map(ProcessHandle::pid).collect(Collectors.toList());
            assertThat(descendants).as("the action's sh and the upper worker").hasSizeGreaterThanOrEqualTo(2);

            child.destroy(); // SIGTERM: Spring's shutdown hook starts the graceful shutdown
            lines.forEachRemaining(events::add);

            String all = String.join("\n", events);
            for (int i = 1; i <= 15; i++) {
                assertThat(all).as("child output: %s", childOutput).contains("line " + i + "\\n");
            }
            assertThat(events.get(events.size() - 1)).as("the last event, child output: %s", childOutput)
                    .contains("\"stream\":\"exit\"").contains("\"exitCode\":0");
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("the child JVM exits").isTrue();
            // the engine's disposal completed only once every process was gone, before the JVM exited
            assertThat(descendants).as("processes live when the JVM had exited").noneMatch(ProcFs::isLive);
            // a killed grandchild is a zombie until init, its new parent, reaps it: a moment later
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(descendants)
                    .allMatch(pid -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)));
        }
        finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
