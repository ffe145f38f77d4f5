package dev.procflux;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** What the operating system says about this JVM's children: the ground truth the tests check against. */
final class OsProcesses {
    private OsProcesses() {
    }

    /** Descendants of this JVM that are alive (zombies waiting to be reaped are not). */
    static List<ProcessHandle> liveDescendants() {
        return ProcessHandle.current().descendants()
                .filter(p -> state(p.pid()) != 'Z' && state(p.pid()) != '?')
                .collect(Collectors.toList());
    }

    /** The state letter from {@code /proc/<pid>/stat} (R, S, T, Z...), or '?' when the process is gone. */
    static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            return stat.charAt(close + 2);
        }
        catch (IOException | RuntimeException e) {
            return '?';
        }
    }

    static long openFileDescriptors() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until no child process of this JVM is alive or a zombie. */
    static String describe() {
        return ProcessHandle.current().descendants()
                .map(p -> p.pid() + ":" + state(p.pid()) + ":" + p.info().commandLine().orElse("?"))
                .collect(Collectors.joining(", "));
    }

    static void awaitNoChildren() {
        await().alias("no children, still: " + describe()).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> ProcessHandle.current().descendants()
                        .filter(p -> state(p.pid()) != '?').count() == 0);
    }

    /** Closes {@code engine} and checks that nothing it started is left: no child, no slot, no buffered byte. */
    static void closeAndAssertClean(ProcessEngine engine) {
        engine.close();
        awaitNoChildren();
        org.assertj.core.api.Assertions.assertThat(engine.metrics().acquired()).as("leased slots").isZero();
        org.assertj.core.api.Assertions.assertThat(engine.metrics().alive()).as("alive").isZero();
        org.assertj.core.api.Assertions.assertThat(engine.metrics().bufferedBytes()).as("buffered bytes").isZero();
    }

    static void awaitNoLiveChildren() {
        await().alias("no live children, still: " + describe()).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> liveDescendants().isEmpty());
    }
}
