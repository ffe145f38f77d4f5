package dev.procflux;

import static dev.procflux.CloseTreeChild.awaitPid;
import static dev.procflux.CloseTreeChild.ignoringGrandchild;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.testsupport.ChildJvm;
import dev.procflux.testsupport.ProcFs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/**
 * Closing an engine or a worker pool returns only once every process of every tree it killed is gone, the ones
 * that outlive the root's SIGTERM included: they get their SIGKILL before {@code close()} returns, so a JVM that
 * exits right after (or whose shutdown hook closed the engine) leaves nothing behind.
 */
@EnabledOnOs(OS.LINUX)
class CloseTreeIT {
    private final ProcessEngine engine = ProcessEngine.builder().killGracePeriod(Duration.ofMillis(500)).build();
    /** Grandchildren a test started: killed after it, so that a failing test leaks nothing. */
    private final List<Long> grandchildren = new ArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void tearDown() {
        for (long pid : grandchildren) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        OsProcesses.closeAndAssertClean(engine);
    }

    private long grandchild(Path pidFile) {
        long pid = awaitPid(pidFile);
        grandchildren.add(pid);
        assertThat(ProcFs.isLive(pid)).as("grandchild %s alive before the close", pid).isTrue();
        return pid;
    }

    @Test
    void closeReturnsOnlyOnceTheGrandchildrenThatIgnoreSigtermAreGone() {
        Path holding = dir.resolve("holding");
        Path detached = dir.resolve("detached");
        engine.stream(ignoringGrandchild(holding, true, "wait")).subscribe(o -> { }, e -> { });
        engine.stream(ignoringGrandchild(detached, false, "wait")).subscribe(o -> { }, e -> { });
        long holder = grandchild(holding);
        long other = grandchild(detached);

        engine.close();

        assertThat(ProcFs.isLive(holder)).as("the grandchild holding the pipes, when close() returned").isFalse();
        assertThat(ProcFs.isLive(other)).as("the grandchild on /dev/null, when close() returned").isFalse();
    }

    @Test
    void closeAlsoKillsWhatAGrandchildForkedOnItsSigtermAfterTheRootDied() {
        Path ready = dir.resolve("ready");
        Path forked = dir.resolve("forked");
        // the grandchild survives the SIGTERM and forks a sleep from its handler: a process the frozen tree does not
        // list, with no pipe of the run, whose parent lives on until the forced kill
        String grandchild = "sh -c 'trap \"sleep 60 </dev/null >/dev/null 2>&1 & echo \\$! > \\\"$2.tmp\\\"; "
                + "mv \\\"$2.tmp\\\" \\\"$2\\\"\" TERM; echo $$ > \"$1\"; while :; do sleep 1; done' sh \"$1\" \"$2\"";
        engine.stream(Command.of("sh", "-c", grandchild + " </dev/null >/dev/null 2>&1 & wait", "sh",
                ready.toString(), forked.toString())).subscribe(o -> { }, e -> { });
        grandchildren.add(awaitPid(ready));

        engine.close();

        assertThat(forked).as("the grandchild's handler wrote the pid of the sleep it forked").exists();
        long pid = awaitPid(forked);
        grandchildren.add(pid);
        assertThat(ProcFs.isLive(pid)).as("the sleep forked after the freeze, when close() returned").isFalse();
    }

    @Test
    void disposeLaterCompletesOnlyOnceTheGrandchildThatIgnoresSigtermIsGone() {
        Path pidFile = dir.resolve("pid");
        engine.stream(ignoringGrandchild(pidFile, false, "wait")).subscribe(o -> { }, e -> { });
        long pid = grandchild(pidFile);

        engine.disposeLater().block(Duration.ofSeconds(10));

        assertThat(ProcFs.isLive(pid)).as("the grandchild, when disposeLater() completed").isFalse();
    }

    @Test
    void disposeGracefullyCompletesOnlyOnceTheGrandchildKilledAfterTheDrainIsGone() {
        Path pidFile = dir.resolve("pid");
        engine.stream(ignoringGrandchild(pidFile, true, "wait")).subscribe(o -> { }, e -> { });
        long pid = grandchild(pidFile);

        engine.disposeGracefully(Duration.ofMillis(100)).block(Duration.ofSeconds(10));

        assertThat(ProcFs.isLive(pid)).as("the grandchild, when disposeGracefully() completed").isFalse();
    }

    @Test
    void aCancelRightBeforeTheCloseIsWaitedForToItsForcedKill() {
        Path pidFile = dir.resolve("pid");
        Disposable run = engine.stream(ignoringGrandchild(pidFile, false, "wait"))
                .subscribe(o -> { }, e -> { });
        long pid = grandchild(pidFile);
        run.dispose();
        // the root dies of the cancel's SIGTERM: the run is over, its tree kill is not
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().alive() == 0);

        engine.close();

        assertThat(ProcFs.isLive(pid)).as("the grandchild, when close() returned").isFalse();
    }

    @Test
    void workerPoolCloseReturnsOnlyOnceTheWorkersGrandchildThatIgnoresSigtermIsGone() {
        Path pidFile = dir.resolve("pid");
        WorkerPool<String, String> pool = WorkerPool.builder(ignoringGrandchild(pidFile, false,
                "while read l; do echo \"$l\"; done")).sizeBetween(1, 1).build(engine);
        assertThat(pool.call("x").block(Duration.ofSeconds(20))).isEqualTo("x");
        long pid = grandchild(pidFile);

        pool.close();

        assertThat(ProcFs.isLive(pid)).as("the worker's grandchild, when close() returned").isFalse();
    }

    @Test
    void closeDoesNotWaitForTheGracePeriodWhenTheWholeTreeDiesOfSigterm() throws InterruptedException {
        ProcessEngine patient = engine.options().toBuilder().killGracePeriod(Duration.ofSeconds(60)).build();
        List<Long> roots = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            patient.stream(Command.shell("sleep 60 & sleep 60 & wait"), roots::add).subscribe(o -> { }, e -> { });
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> roots.size() == 3);
        Thread closer = new Thread(patient::close, "test-closer");
        closer.start();

        // a close that waited for the grace period would take a minute
        await().atMost(Duration.ofSeconds(20)).until(() -> !closer.isAlive());
        closer.join();
        OsProcesses.assertNoLiveChildren("when close() returned");
    }

    @Test
    void aJvmThatExitsRightAfterClosingItsEngineLeavesNoGrandchildBehind() throws Exception {
        assertChildJvmLeavesNothing("close");
    }

    @Test
    void aJvmWhoseShutdownHookClosesItsEngineLeavesNoGrandchildBehind() throws Exception {
        assertChildJvmLeavesNothing("hook");
    }

    @Test
    void aJvmWhoseShutdownHookClosesItsWorkerPoolLeavesNoGrandchildBehind() throws Exception {
        assertChildJvmLeavesNothing("worker-pool-hook");
    }

    private void assertChildJvmLeavesNothing(String mode) throws Exception {
        Path pidFile = dir.resolve("pid");
        Process child = ChildJvm.of(CloseTreeChild.class, mode, pidFile.toString()).start();
        try {
            ChildJvm.Output read = ChildJvm.readToEnd(child);
            List<String> output = read.lines();
            grandchildren.addAll(read.pids());
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child JVM ended, output: %s", output).isTrue();
            assertThat(child.exitValue()).as("exit status, output: %s", output).isZero();
            assertThat(output).contains("exiting");
            assertThat(grandchildren).as("output: %s", output).hasSize(1);
            long pid = grandchildren.get(0);
            assertThat(ProcFs.isLive(pid)).as("grandchild %s when its JVM had exited", pid).isFalse();
        }
        finally {
            child.destroyForcibly();
        }
    }
}
