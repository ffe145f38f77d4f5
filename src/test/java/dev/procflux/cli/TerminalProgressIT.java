package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress bar and the summary of {@code procflux run} as a user sees them: the built CLI runs in a real
 * terminal (a detached tmux session of 120x20), whose screen is captured while the jobs run and after.
 */
@EnabledOnOs(OS.LINUX)
class TerminalProgressIT {
    /** The bar while two jobs are done (one failed), two are held running and two wait: 8 of 24 cells filled. */
    private static final Pattern BAR_MID_RUN = Pattern.compile(
            "\\[#{8}\\.{16}] 2/6 done, 2 running, 1 failed, \\d+\\.\\d/s, ETA \\d+(s|m\\d\\ds|h\\d\\dm)");
    private static final Pattern ANY_BAR = Pattern.compile("\\[[#.]{24}] \\d+/6 done, ");
    private static final Pattern SUMMARY = Pattern.compile(
            "(?m)^procflux run: 6 jobs in \\d+\\.\\d\\ds \\(\\d+\\.\\d/s\\): 5 succeeded, 1 failed$");

    @TempDir
    Path dir;

    @Test
    void theProgressBarShowsWhileJobsRunAndTheSummaryReplacesItAtTheEnd() throws Exception {
        assertThat(onPath("tmux")).as("tmux is required (CI installs it): the progress bar needs a real terminal")
                .isTrue();
        Path go = dir.resolve("go");
        // four jobs wait for the go file, so the bar's mid-run state is held still until the test has seen it
        String held = "sh -c 'while [ ! -e " + go + " ]; do sleep 0.05; done'\n";
        Path jobs = Files.writeString(dir.resolve("jobs.txt"), "true\nfalse\n" + held.repeat(4));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = "target/classes" + File.pathSeparator + System.getProperty("java.class.path");
        // a script, not a tmux argument: the class path can be longer than a tmux command may be
        Path script = Files.writeString(dir.resolve("run.sh"), String.join("\n",
                "cd '" + Path.of("").toAbsolutePath() + "'",
                "'" + java + "' -cp '" + classpath + "' dev.procflux.cli.Main run -j 2 -f '" + jobs + "'",
                "echo \"procflux-exit=$?\"",
                "exec sleep 600", ""));
        String socket = "procflux-it-" + UUID.randomUUID();
        try {
            tmux(socket, "new-session", "-d", "-s", "run", "-x", "120", "-y", "20", "sh " + script);

            String[] screen = new String[1];
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> BAR_MID_RUN.matcher(screen[0] = capture(socket)).find());
            }
            catch (ConditionTimeoutException e) {
                throw new AssertionError("no bar with 2/6 done, 2 running, 1 failed; the screen was:\n" + screen[0], e);
            }
            assertThat(screen[0]).doesNotContain("procflux-exit=");
            assertThat(SUMMARY.matcher(screen[0]).find()).isFalse();

            Files.createFile(go);
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> (screen[0] = capture(socket)).contains("procflux-exit="));
            }
            catch (ConditionTimeoutException e) {
                throw new AssertionError("the run did not end; the screen was:\n" + screen[0], e);
            }
            assertThat(SUMMARY.matcher(screen[0]).find()).as("screen: %s", screen[0]).isTrue();
            assertThat(screen[0]).contains("procflux-exit=1\n");
            // the bar was erased before the summary was written: nothing of it is left on the screen
            assertThat(ANY_BAR.matcher(screen[0]).find()).as("screen: %s", screen[0]).isFalse();
            Matcher summary = SUMMARY.matcher(screen[0]);
            assertThat(summary.find()).isTrue();
            assertThat(screen[0].substring(summary.end())).startsWith("\nprocflux-exit=1\n");
        }
        finally {
            tmux(socket, "kill-server");
        }
        String marker = dir.toString();
        await().alias("no procflux, job or shell process of this test is left").atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine()
                        .map(c -> c.contains(marker)).orElse(false)));
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    private static String capture(String socket) throws IOException, InterruptedException {
        return tmux(socket, "capture-pane", "-p", "-t", "run");
    }

    /** Runs a tmux command on the test's own server socket; returns its stdout. */
    private static String tmux(String socket, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("tmux " + String.join(" ", args) + " did not finish");
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
