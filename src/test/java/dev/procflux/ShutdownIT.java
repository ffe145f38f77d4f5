package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.testsupport.ChildJvm;
import dev.procflux.testsupport.ProcFs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** A JVM that exits normally takes every process tree its engines started with it. */
@EnabledOnOs(OS.LINUX)
class ShutdownIT {

    @Test
    void jvmExitKillsEveryProcessTreeOfAnOpenEngineAndItsWorkerPools() throws Exception {
        Process child = ChildJvm.of(ShutdownChild.class).start();
        ChildJvm.Output output = ChildJvm.readToEnd(child);
        List<Long> pids = output.pids();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(output.lines()).contains("exiting");
        assertThat(pids).as("output: %s", output.lines()).hasSize(4);
        // the shutdown hook's close() returned only once every tree was gone, before the JVM exited
        assertThat(pids).as("processes live when the JVM had exited").noneMatch(ProcFs::isLive);
        // a killed grandchild is a zombie until init, its new parent, reaps it: a moment later
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(pids).allMatch(pid -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)));
    }

    @Test
    void aProcessWithAParentDeathSignalDiesWhenItsJvmIsKilledWithSigkill() throws Exception {
        Process child = ChildJvm.of(ParentDeathChild.class).start();
        long pid;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            do {
                line = r.readLine();
            } while (line != null && !line.startsWith("pid "));
            assertThat(line).as("the child printed its process's pid").isNotNull();
            pid = Long.parseLong(line.substring(4).trim());
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).hasValue(true);
            child.destroyForcibly(); // SIGKILL: no shutdown hook runs in the child JVM
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)).isTrue());
    }
}
