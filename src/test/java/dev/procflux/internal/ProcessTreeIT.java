package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.testsupport.ProcFs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@link ProcessTree#holders}: who still holds a killed run's pipes; {@link ProcessTree#descendants} and
 * {@link TreeKiller#snapshot}: how a tree is listed and frozen before a kill. Against real processes.
 */
@EnabledOnOs(OS.LINUX)
class ProcessTreeIT {
    /** {@code sh} → {@code sh} → {@code sleep}: the inner shell runs a command after {@code sleep}, so it forks it. */
    private static final String THREE_LEVELS = "sh -c 'sleep 60; :' & wait";

    /** @return the pids of the tree under {@code root}: root, its child, its grandchild, once all three exist */
    private static List<Long> threeLevels(Process root) {
        long[] tree = new long[3];
        tree[0] = root.pid();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Optional<ProcessHandle> child = root.toHandle().children().findFirst();
            Optional<ProcessHandle> grandchild = child.flatMap(c -> c.children().findFirst());
            if (grandchild.isEmpty() || !grandchild.get().info().command().orElse("").endsWith("sleep")) {
                return false;
            }
            tree[1] = child.get().pid();
            tree[2] = grandchild.get().pid();
            return true;
        });
        return List.of(tree[0], tree[1], tree[2]);
    }

    private static void killAll(Process root, List<Long> tree) throws InterruptedException {
        for (long pid : tree) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            Posix.signal(pid, Posix.SIGCONT);
        }
        assertThat(root.waitFor(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> tree.stream().noneMatch(ProcFs::isLive));
    }

    @Test
    void aFreezeListsTheTreeThroughTheChildrenFilesWithoutScanningEveryProcess() throws Exception {
        assertThat(ProcessTree.walksChildrenFiles())
                .as("/proc/self/task/TID/children is missing: a kernel without CONFIG_PROC_CHILDREN (Linux 3.5+)")
                .isTrue();
        Process root = new ProcessBuilder("sh", "-c", THREE_LEVELS).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<Long> tree = List.of(root.pid());
        try {
            tree = threeLevels(root);
            long scans = ProcessTree.fullScans();

            List<ProcessHandle> frozen = TreeKiller.snapshot(ProcessHandle.of(root.pid()));

            assertThat(frozen).extracting(ProcessHandle::pid).containsExactlyElementsOf(tree);
            assertThat(ProcessTree.fullScans()).as("listings that scanned all of /proc").isEqualTo(scans);
            List<Long> stopped = tree;
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(stopped).allMatch(pid -> ProcFs.state(pid) == 'T'));
        }
        finally {
            killAll(root, tree);
        }
    }

    @Test
    void theChildrenWalkAndTheFullScanListTheSameTree() throws Exception {
        Process root = new ProcessBuilder("sh", "-c", THREE_LEVELS).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<Long> tree = List.of(root.pid());
        try {
            tree = threeLevels(root);
            ProcessHandle handle = root.toHandle();
            long scans = ProcessTree.fullScans();

            assertThat(ProcessTree.descendants(handle, true)).extracting(ProcessHandle::pid)
                    .containsExactlyElementsOf(tree.subList(1, 3));
            assertThat(ProcessTree.fullScans()).isEqualTo(scans);
            assertThat(ProcessTree.descendants(handle, false)).extracting(ProcessHandle::pid)
                    .containsExactlyInAnyOrderElementsOf(tree.subList(1, 3));
            assertThat(ProcessTree.fullScans()).isEqualTo(scans + 1);
        }
        finally {
            killAll(root, tree);
        }
    }
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
