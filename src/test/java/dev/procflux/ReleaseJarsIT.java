package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The jars {@code mvn package} builds, as a user gets them: manifests, contents, and the CLI jar running serve. */
@EnabledOnOs(OS.LINUX)
class ReleaseJarsIT {
    private static final Path CLI_JAR = Path.of("target", "procflux.jar");

    @Test
    void theLibraryJarNamesItsVersion() throws IOException {
        Path jar;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            jar = files.filter(p -> p.getFileName().toString().matches("procflux-[^-]+(-SNAPSHOT)?\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no target/procflux-<version>.jar"));
        }
        try (JarFile j = new JarFile(jar.toFile())) {
            Properties pom = new Properties();
            try (InputStream in = j.getInputStream(j.getEntry("META-INF/maven/dev.procflux/procflux/pom.properties"))) {
                pom.load(in);
            }
            Attributes main = j.getManifest().getMainAttributes();
            assertThat(main.getValue("Implementation-Version")).isEqualTo(pom.getProperty("version"));
            assertThat(main.getValue("Automatic-Module-Name")).isEqualTo("dev.procflux");
            assertThat(j.getEntry("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports"))
                    .isNotNull();
            assertThat(j.getEntry("META-INF/spring-configuration-metadata.json")).isNotNull();
        }
    }

    @Test
    void theCliJarAllowsNativeAccessAndLeavesOutWhatOnlyApplicationsUse() throws IOException {
        try (JarFile j = new JarFile(CLI_JAR.toFile())) {
            Attributes main = j.getManifest().getMainAttributes();
            assertThat(main.getValue("Main-Class")).isEqualTo("dev.procflux.cli.Main");
            assertThat(main.getValue("Enable-Native-Access")).isEqualTo("ALL-UNNAMED");
            assertThat(main.getValue("Implementation-Version")).isNotBlank();
            List<String> names = Collections.list(j.entries()).stream().map(e -> e.getName()).toList();
            assertThat(names).noneMatch(n -> n.startsWith("org/springframework/boot/"))
                    .noneMatch(n -> n.startsWith("dev/procflux/boot/"))
                    .noneMatch(n -> n.startsWith("dev/procflux/micrometer/"))
                    .noneMatch(n -> n.startsWith("io/micrometer/core/"))
                    .noneMatch(n -> n.startsWith("org/springframework/boot/"));
        }
    }

    @Test
    void theCliJarServesTheShippedActionsWithoutNativeAccessWarnings() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process serve = new ProcessBuilder(java, "-jar", CLI_JAR.toString(), "serve", "--config",
                "docs/examples/actions.yaml", "--port", "0").redirectErrorStream(true).start();
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(),
                    StandardCharsets.UTF_8));
            String url = null;
            String line;
            while ((line = out.readLine()) != null) {
                output.add(line);
                int at = line.indexOf(" on http://");
                if (line.startsWith("procflux serve: ") && at > 0) {
                    url = line.substring(at + 4).split(" ")[0];
                    break;
                }
            }
            assertThat(url).as("serve printed its address: %s", output).isNotNull();
            Thread drainer = new Thread(() -> out.lines().forEach(output::add), "serve-output");
            drainer.setDaemon(true);
            drainer.start();

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> seq = http.send(HttpRequest.newBuilder(URI.create(url + "/actions/seq?count=3"))
                    .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(seq.statusCode()).isEqualTo(200);
            assertThat(seq.body()).contains("\"stdout\":\"1\\n2\\n3\\n\"");
            HttpResponse<String> upper = http.send(HttpRequest.newBuilder(URI.create(url + "/workers/upper"))
                    .POST(HttpRequest.BodyPublishers.ofString("hello")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(upper.body()).isEqualTo("{\"reply\":\"HELLO\"}");
            HttpResponse<String> stream = http.send(HttpRequest.newBuilder(URI.create(url
                    + "/actions/countdown/stream?from=2")).POST(HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(stream.body()).contains("liftoff").contains("event: exit");

            serve.destroy();
            assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
            drainer.join(5_000);
            // JDK 22+ prints "WARNING: A restricted method ... has been called" without Enable-Native-Access
            assertThat(output).as("serve's output").noneMatch(l -> l.contains("WARNING"));
        }
        finally {
            serve.destroyForcibly();
            serve.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
