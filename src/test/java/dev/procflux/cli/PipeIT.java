package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@code procflux run --pipe} on large input, in a JVM of its own with a small heap: the blocks are fed to the jobs'
 * stdin with backpressure, so memory holds about (jobs + 1) blocks whatever the input size, and the byte counts of
 * the jobs add up to the input.
 */
@EnabledOnOs(OS.LINUX)
class PipeIT {
    private static final String HEAP = "-Xmx48m";

    @Test
    void sixtyFourMebibytesThroughFourWcJobsInA48MiBHeapAddUp() throws Exception {
        assertThat(pipeThroughWc(64L << 20)).isEqualTo(64L << 20);
    }

    /** The full-size run: 1 GiB; behind the soak profile ({@code mvn -Psoak}) for its time, about a minute. */
    @Test
    @Tag("soak")
    void oneGibibyteThroughFourWcJobsInA48MiBHeapAddsUp() throws Exception {
        assertThat(pipeThroughWc(1L << 30)).isEqualTo(1L << 30);
    }

    /** @return the sum of the counts the {@code wc -c} jobs printed */
    private static long pipeThroughWc(long bytes) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String procflux = String.join(" ", List.of(java, HEAP, "-cp", "\"$CP\"", Main.class.getName(), "run", "-j",
                "4", "--pipe", "--block", "1M", "wc", "-c"));
        // the status of the pipeline is procflux's, the last command; yes dies of SIGPIPE when head has enough
        ProcessBuilder pb = new ProcessBuilder("sh", "-c",
                "yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c " + bytes + " | "
                        + procflux).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("CP", System.getProperty("java.class.path"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("procflux's exit status").isZero();
        List<String> counts = out.lines().toList();
        // blocks of at most 1 MiB, cut after a newline: at least one job per MiB
        assertThat(counts).hasSizeGreaterThanOrEqualTo((int) (bytes >> 20));
        assertThat(counts).allMatch(c -> Long.parseLong(c.trim()) <= 1L << 20);
        return counts.stream().mapToLong(c -> Long.parseLong(c.trim())).sum();
    }
}
