package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/** Timeout, cancel and close kill the whole process tree. */
@EnabledOnOs(OS.LINUX)
class KillIT {
    private final ProcessEngine engine = ProcessEngine.builder().maxConcurrency(4)
            .killGracePeriod(Duration.ofMillis(500)).build();
    // the tests that take a boolean run on both read paths
    private final ReadPaths paths = new ReadPaths(engine);

    @AfterEach
    void tearDown() {
        paths.closeAndAssertClean();
    }

    @Test
    void timeoutKillsTheShellAndItsBackgroundChildren() {
        StepVerifier.create(engine.execute(Command.shell("sleep 60 & sleep 60 & wait")
                        .withTimeout(Duration.ofMillis(500))))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ProcessTimeoutException.class)
                            .hasMessageContaining("timed out after 500ms")
                            .hasMessageContaining("sleep 60 & sleep 60 & wait");
                    assertThat(((ProcessTimeoutException) e).phase()).isEqualTo(ProcessTimeoutException.Phase.RUN);
                    assertThat(((ProcessTimeoutException) e).timeout()).isEqualTo(Duration.ofMillis(500));
                    assertThat(((ProcessTimeoutException) e).exitStatus()).contains(ExitStatus.signaled(15));
                    assertThat(e).hasMessageEndingWith("process tree killed, ended with signal 15 (SIGTERM)");
                })
                .verify(Duration.ofSeconds(10));
        OsProcesses.awaitNoLiveChildren();
        assertThat(engine.metrics().timedOut()).isEqualTo(1);
    }

    @Test
    void aProcessThatIgnoresSigtermIsKilledAfterTheGracePeriodAndSaysItDiedOfSigkill() {
        // exec keeps the ignored disposition: sleep itself ignores SIGTERM
        StepVerifier.create(engine.execute(Command.shell("trap '' TERM; exec sleep 60")
                        .withTimeout(Duration.ofMillis(300))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessTimeoutException.class)
                        .hasMessageEndingWith("process tree killed, ended with signal 9 (SIGKILL)")
                        .extracting(t -> ((ProcessTimeoutException) t).exitStatus())
                        .isEqualTo(Optional.of(ExitStatus.signaled(9))))
                .verify(Duration.ofSeconds(10));
        OsProcesses.awaitNoLiveChildren();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void cancellingAStreamKillsTheTree(boolean direct) {
        StepVerifier.create(paths.engine(direct).lines(Command.shell("echo started; sleep 60 & sleep 60 & wait")))
                .expectNext("started")
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        OsProcesses.awaitNoLiveChildren();
        await().atMost(Duration.ofSeconds(5)).until(() -> paths.engine(direct).metrics().cancelled() == 1);
    }

    @Test
    void cancellingExecuteKillsTheProcessAndReleasesTheSlotOnlyAfterItIsGone() {
        AtomicLong pid = new AtomicLong();
        Disposable d = engine.stream(Command.shell("echo $$; exec sleep 60"))
                .filter(ProcessOutput::isStdout)
                .subscribe(o -> pid.set(Long.parseLong(o.text().trim())));
        await().atMost(Duration.ofSeconds(5)).until(() -> pid.get() > 0);
        assertThat(engine.metrics().acquired()).isEqualTo(1);
        d.dispose();
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.metrics().acquired() == 0);
        assertThat(ProcessHandle.of(pid.get()).map(ProcessHandle::isAlive).orElse(false)
                && OsProcesses.state(pid.get()) != 'Z').isFalse();
    }

    @Test
    void closeKillsRunningTreesAndFailsWaitingCallersSayingWhichOnesHadRun() {
        ProcessEngine small = ProcessEngine.builder().maxConcurrency(1).killGracePeriod(Duration.ofMillis(200))
                .build();
        CompletableFuture<ProcessResult> running = small.execute(Command.shell("sleep 60 & wait")).toFuture();
        CompletableFuture<ProcessResult> waiting = small.execute(Command.of("true")).toFuture();
        await().atMost(Duration.ofSeconds(5)).until(() -> small.metrics().alive() == 1
                && small.metrics().pending() == 1);

        small.close();

        // close() returns once the whole tree is gone: the shell and its sleep
        OsProcesses.assertNoLiveChildren("when close() returned");
        assertThatThrownBy(() -> running.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(ProcessPoolClosedException.class)
                .hasMessage("engine closed: 'sh -c 'sleep 60 & wait'' was killed, ended with signal 15 (SIGTERM)")
                .extracting(e -> ((ProcessPoolClosedException) e).exitStatus())
                .isEqualTo(Optional.of(ExitStatus.signaled(15)));
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(ProcessPoolClosedException.class).hasMessage("engine closed: cannot run 'true'")
                .extracting(e -> ((ProcessPoolClosedException) e).exitStatus()).isEqualTo(Optional.empty());
        StepVerifier.create(small.execute(Command.of("true")))
                .expectError(ProcessPoolClosedException.class)
                .verify(Duration.ofSeconds(10));
        assertThat(small.metrics().cancelled()).isEqualTo(1);
    }

    @Test
    void manyProcessesNeverExceedMaxConcurrencyObservedInTheOs() throws InterruptedException {
        ProcessEngine bounded = ProcessEngine.builder().maxConcurrency(16).build();
        int[] maxSeen = {0};
        String[] busiest = {""};
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                // this engine's processes only: a process another test left exiting is no slot of this one
                List<ProcessHandle> live = OsProcesses.liveDescendants().stream()
                        .filter(p -> p.info().commandLine().orElse("").endsWith("sleep 0.3"))
                        .collect(java.util.stream.Collectors.toList());
                if (live.size() > maxSeen[0]) {
                    maxSeen[0] = live.size();
                    busiest[0] = live.stream().map(p -> p.pid() + ":" + OsProcesses.state(p.pid()))
                            .collect(java.util.stream.Collectors.joining(", "));
                }
            }
        });
        sampler.start();
        try {
            List<ProcessResult> results = reactor.core.publisher.Flux.range(0, 200)
                    .flatMap(i -> bounded.execute(Command.of("sleep", "0.3")), 200)
                    .collectList().block(Duration.ofSeconds(60));
            assertThat(results).hasSize(200).allMatch(ProcessResult::isSuccess);
        }
        finally {
            sampler.interrupt();
            sampler.join();
            bounded.close();
        }
        assertThat(maxSeen[0]).as("most live at once: %s", busiest[0]).isBetween(2, 16);
    }

    @Test
    void overMaxPendingTheCallFailsAtOnceWithAnOverloadError() {
        ProcessEngine tiny = ProcessEngine.builder().maxConcurrency(1).maxPendingAcquire(1)
                .killGracePeriod(Duration.ofMillis(100)).build();
        try {
            Disposable first = tiny.execute(Command.of("sleep", "60")).subscribe();
            await().atMost(Duration.ofSeconds(5)).until(() -> tiny.metrics().acquired() == 1);
            Disposable second = tiny.execute(Command.of("true")).subscribe();
            await().atMost(Duration.ofSeconds(5)).until(() -> tiny.metrics().pending() == 1);
            StepVerifier.create(tiny.execute(Command.of("echo", "third")))
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isInstanceOf(ProcessPoolOverloadedException.class)
                                .hasMessageContaining("engine overloaded")
                                .hasMessageContaining("echo third")
                                .hasMessageContaining("maxPendingAcquire=1");
                        assertThat(((ProcessPoolOverloadedException) e).maxPendingAcquire()).isEqualTo(1);
                    })
                    .verify(Duration.ofSeconds(5));
            second.dispose();
            first.dispose();
            await().atMost(Duration.ofSeconds(5)).until(() -> tiny.metrics().acquired() == 0
                    && tiny.metrics().pending() == 0);
            assertThat(tiny.metrics().rejected()).isEqualTo(1);
        }
        finally {
            tiny.close();
        }
    }

    @Test
    void acquireTimeoutFailsWithThePoolState() {
        ProcessEngine tiny = ProcessEngine.builder().maxConcurrency(1)
                .acquireTimeout(Duration.ofMillis(200)).killGracePeriod(Duration.ofMillis(100)).build();
        try {
            Disposable first = tiny.execute(Command.of("sleep", "60")).subscribe();
            await().atMost(Duration.ofSeconds(5)).until(() -> tiny.metrics().acquired() == 1);
            StepVerifier.create(tiny.execute(Command.of("true")))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessAcquireTimeoutException.class)
                            .hasMessageContaining("acquire timed out after 200ms")
                            .hasMessageContaining("acquired=1/1"))
                    .verify(Duration.ofSeconds(5));
            first.dispose();
        }
        finally {
            tiny.close();
        }
    }
}
