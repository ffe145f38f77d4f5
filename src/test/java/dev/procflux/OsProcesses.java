package dev.procflux;

import static org.awaitility.Awaitility.await;

import dev.procflux.testsupport.ProcFs;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** This JVM's children and an engine's slots, checked against {@link ProcFs}: the ground truth of the tests. */
final class OsProcesses {
    private OsProcesses() {
    }

    /** Descendants of this JVM that are alive (zombies waiting to be reaped are not). */
    static List<ProcessHandle> liveDescendants() {
        return ProcFs.liveDescendants();
    }

    /** The state letter from {@code /proc/<pid>/stat} (R, S, T, Z...), or '?' when the process is gone. */
    static char state(long pid) {
        return ProcFs.state(pid);
    }

    static long openFileDescriptors() {
        return ProcFs.openFileDescriptors();
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

    /**
     * Asserts at once that no child process of this JVM is alive: for right after a close or a disposal, which
     * returns (completes) only once every process of every tree it killed is gone. Zombies do not count: the engine
     * learns of an exit before NuProcess reaps the process, and a killed grandchild is one until its new parent
     * reaps it.
     */
    static void assertNoLiveChildren(String when) {
        org.assertj.core.api.Assertions.assertThat(liveDescendants()).as("live children %s: %s", when, describe())
                .isEmpty();
    }

    static void awaitNoLiveChildren() {
        await().alias("no live children, still: " + describe()).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> liveDescendants().isEmpty());
    }
}
