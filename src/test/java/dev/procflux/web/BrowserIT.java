package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML page in a real browser: headless Chromium loads it with {@code ?action=...&run=1}, which runs the action
 * and streams its output into the page; the DOM dumped afterwards holds the output and the exit. Skipped when
 * Chromium is not installed ({@code apt-get install -y chromium}).
 */
@EnabledOnOs(OS.LINUX)
class BrowserIT {
    private static final List<Path> CHROMIUM = List.of(Path.of("/usr/bin/chromium"),
            Path.of("/usr/bin/chromium-browser"), Path.of("/usr/bin/google-chrome"));
    private static final Pattern OUTPUT = Pattern.compile("<pre id=\"output\">(.*?)</pre>", Pattern.DOTALL);
    private static final Pattern STATUS = Pattern.compile("<div id=\"status\"[^>]*>(.*?)</div>", Pattern.DOTALL);

    @TempDir
    Path profile;

    @Test
    void thePageRunsAnActionAndShowsItsStreamedOutput() throws Exception {
        Path chromium = CHROMIUM.stream().filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(chromium != null, "Chromium is not installed");
        ActionRegistry registry = ActionRegistry.builder()
                .add(Action.builder("count", "sh", "-c", "for i in $(seq \"$1\"); do echo \"n$i\"; sleep 0.05; done; "
                        + "echo done >&2", "count", "{n}")
                        .parameter(Parameter.integer("n", 1, 10).defaultValue("3").build())
                        .build())
                .build();
        try (ProcessEngine engine = ProcessEngine.builder().maxConcurrency(2).build();
                ActionServer server = ActionServer.start(ActionRoutes.builder(engine, registry).build(), "127.0.0.1",
                        0)) {
            String dom = dumpDom(chromium, server.url() + "/?action=count&n=4&run=1");
            Matcher output = OUTPUT.matcher(dom);
            assertThat(output.find()).as("the page has its output box: %s", dom).isTrue();
            assertThat(text(output.group(1))).isEqualTo("n1\nn2\nn3\nn4\ndone\n");
            assertThat(output.group(1)).contains("<span class=\"stderr\">done\n</span>");
            Matcher status = STATUS.matcher(dom);
            assertThat(status.find()).isTrue();
            assertThat(text(status.group(1))).startsWith("exit 0 after ");
            assertThat(engine.metrics().succeeded()).isEqualTo(1);
        }
        Children.awaitNone();
    }

    /** Runs headless Chromium until it has dumped the DOM; the virtual-time budget lets the stream finish first. */
    private String dumpDom(Path chromium, String url) throws IOException, InterruptedException {
        Path out = profile.resolve("dom.html");
        Process browser = new ProcessBuilder(Stream.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=" + profile.resolve("profile"), "--virtual-time-budget=10000", "--dump-dom", url)
                .toList())
                .redirectOutput(out.toFile())
                .redirectError(profile.resolve("stderr.txt").toFile())
                .start();
        try {
            boolean exited = browser.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS);
            assertThat(exited).as("chromium exits after dumping the DOM").isTrue();
        }
        finally {
            browser.descendants().forEach(ProcessHandle::destroyForcibly);
            browser.destroyForcibly();
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static String text(String html) {
        return html.replaceAll("<[^>]*>", "").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&amp;", "&");
    }
}
