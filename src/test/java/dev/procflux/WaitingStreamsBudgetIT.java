package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.testsupport.ProcFs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Streams queued behind {@code maxConcurrency} (an SSE server with many more clients than slots) have no process
 * and can queue nothing, so they hold none of the engine's budget: the streams that run keep the pipe and the pace
 * they would have alone, however many wait.
 */
@EnabledOnOs(OS.LINUX)
class WaitingStreamsBudgetIT {
    private static final long BUDGET = 8L << 20;
    /** Had each of them reserved a page's worth (12 KiB), together they would hold more than the whole budget. */
    private static final int WAITING = 700;
    private static final long FAST_BYTES = 64L << 20;
    private static final int DEFAULT_PIPE = 64 * 1024;

    private final ProcessEngine engine = ProcessEngine.builder().maxConcurrency(2).maxPendingAcquire(WAITING + 100)
            .maxTotalBufferedBytes(BUDGET).watermarks(1L << 20, 256 * 1024).killGracePeriod(Duration.ofMillis(500))
            .build();

    @AfterEach
    void tearDown() {
        OsProcesses.closeAndAssertClean(engine);
    }

    @Test
    void streamsWaitingForASlotHoldNoneOfTheBudgetSoTheRunningOnesKeepTheirPipesAndAreNotPausedByIt() {
        // warms up the shared threads and descriptors (NuProcess I/O, schedulers) so they are part of the baseline
        assertThat(engine.stream(Command.of("head", "-c", "1000", "/dev/zero")).reduce(0L, (n, o) -> n + o.size())
                .block(Duration.ofSeconds(30))).isEqualTo(1000);
        OsProcesses.awaitNoChildren();
        long fds = OsProcesses.openFileDescriptors();

        List<ZeroCounting> fast = new ArrayList<>();
        List<AtomicLong> pids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ZeroCounting c = new ZeroCounting(0);
            AtomicLong pid = new AtomicLong(-1);
            engine.stream(Command.of("head", "-c", Long.toString(FAST_BYTES), "/dev/zero"), pid::set).subscribe(c);
            fast.add(c);
            pids.add(pid);
        }
        List<ZeroCounting> waiting = new ArrayList<>();
        for (int i = 0; i < WAITING; i++) {
            ZeroCounting c = new ZeroCounting(Long.MAX_VALUE);
            engine.stream(Command.of("head", "-c", Integer.toString(1000 + i), "/dev/zero")).subscribe(c);
            waiting.add(c);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> pids.stream().allMatch(p -> p.get() > 0)
                && engine.metrics().alive() == 2 && engine.metrics().pauses() >= 2);
        assertThat(engine.metrics().pending()).as("streams waiting for a slot").isEqualTo(WAITING);
        for (AtomicLong pid : pids) {
            // paused at its mark with nothing requested: the pipe it started with, not the one page of a budget
            // shared with the waiting streams
            assertThat(ProcFs.pipeSize(pid.get(), 1)).as("pipe of running pid %d", pid.get()).isEqualTo(DEFAULT_PIPE);
        }
        assertThat(engine.metrics().budgetPauses()).as("pauses by the budget while nothing is requested").isZero();

        fast.forEach(c -> c.request(Long.MAX_VALUE));
        await().atMost(Duration.ofSeconds(120)).until(() -> fast.stream().allMatch(c -> c.exit != null));
        EngineMetrics afterFast = engine.metrics();
        System.out.printf("2 x %,d bytes beside %d waiting streams, budget %,d: pauses %d (budget %d)%n", FAST_BYTES,
                WAITING, BUDGET, afterFast.pauses(), afterFast.budgetPauses());
        for (ZeroCounting c : fast) {
            assertThat(c.exit.isSuccess()).isTrue();
            assertThat(c.bytes.get()).isEqualTo(FAST_BYTES);
            assertThat(c.nonZero.get()).isZero();
        }
        assertThat(afterFast.budgetPauses()).as("pauses by the budget of the streams that ran").isZero();

        await().atMost(Duration.ofSeconds(180)).until(() -> waiting.stream().allMatch(c -> c.exit != null));
        for (int i = 0; i < WAITING; i++) {
            ZeroCounting c = waiting.get(i);
            assertThat(c.exit.isSuccess()).as("stream %d", i).isTrue();
            assertThat(c.bytes.get()).as("stream %d", i).isEqualTo(1000 + i);
            assertThat(c.nonZero.get()).isZero();
        }
        EngineMetrics m = engine.metrics();
        assertThat(m.budgetPauses()).isZero();
        assertThat(m.succeeded()).isEqualTo(WAITING + 3);
        OsProcesses.awaitNoChildren();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(engine.metrics().acquired()).as("slots").isZero();
            assertThat(engine.metrics().pending()).as("waiting").isZero();
            assertThat(engine.metrics().bufferedBytes()).as("queued").isZero();
            assertThat(OsProcesses.openFileDescriptors()).as("descriptors").isLessThanOrEqualTo(fds);
        });
    }
}
