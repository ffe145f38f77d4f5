package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.testsupport.ProcFs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@link ProcessTree#holders}: who still holds a killed run's pipes, against real processes. */
@EnabledOnOs(OS.LINUX)
class ProcessTreeIT {
    private static String stdoutPipe(long pid) throws IOException {
        return ProcFs.fdTarget(pid, 1);
    }

    @Test
    void aChildOfThisJvmIsNeverAHolderButAnEscapedGrandchildIs() throws Exception {
        // the shell prints its background job's pid and exits: the job keeps the shell's stdout pipe, re-parented
        Process shell = new ProcessBuilder("sh", "-c", "sleep 30 & echo $!").start();
        Process child = new ProcessBuilder("sleep", "30").start();
        long grandchild = -1;
        try {
            byte[] line = new byte[32];
            int n = shell.getInputStream().read(line);
            grandchild = Long.parseLong(new String(line, 0, n, StandardCharsets.US_ASCII).trim());
            assertThat(shell.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long escaped = grandchild;
            assertThat(ProcessHandle.of(escaped).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
                    .isNotEqualTo(ProcessHandle.current().pid());
            String pipe = stdoutPipe(escaped); // the shell's stdout, inherited
            // a direct child holding a run's pipe: what a child of this JVM looks like between fork and exec
            String childPipe = stdoutPipe(child.pid());

            assertThat(ProcessTree.holders(List.of(pipe))).extracting(ProcessHandle::pid).containsExactly(escaped);
            assertThat(ProcessTree.holders(List.of(childPipe))).isEmpty();
        }
        finally {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            if (grandchild > 0) {
                ProcessHandle.of(grandchild).ifPresent(ProcessHandle::destroyForcibly);
                long gone = grandchild;
                await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(gone).isEmpty()
                        || !ProcessHandle.of(gone).get().isAlive());
            }
        }
    }
}
