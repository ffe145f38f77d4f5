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
import reactor.core.Disposable;

/**
 * The stdout pipe under the engine's budget, read from the child's side ({@code F_GETPIPE_SZ} through
 * {@code /proc}): with more streams open than the budget gives a larger pipe each (22 on 1 MiB), a new stream's pipe
 * is one page; once they close, a stream whose subscriber drains grows it back, and the whole output arrives.
 */
@EnabledOnOs(OS.LINUX)
class PipeBudgetIT {
    private static final long BUDGET = 1L << 20;
    private static final int PAGE = 4096;
    private static final int DEFAULT_PIPE = 64 * 1024;
    private static final long LATE_START = DEFAULT_PIPE + 16 * 1024;
    /** With the probe, enough streams that the budget's fair pipe is one page ({@code 24 x 24 KiB > 512 KiB}). */
    private static final int STALLED = 23;

    private final ProcessEngine engine = ProcessEngine.builder().maxConcurrency(32).maxTotalBufferedBytes(BUDGET)
            .killGracePeriod(Duration.ofMillis(500)).build();

    @AfterEach
    void tearDown() {
        OsProcesses.closeAndAssertClean(engine);
    }

    @Test
    void aStreamStartedBesideMoreStreamsThanTheBudgetGivesALargerPipeGetsOnePageAndGrowsItBackOnceTheyClose() {
        List<Disposable> blockers = stallStreams();
        long held = Math.max(BUDGET, engine.metrics().bufferedBytes());
        AtomicLong pid = new AtomicLong(-1);
        ZeroCounting probe = new ZeroCounting(0);
        engine.stream(Command.of("yes"), pid::set).subscribe(probe);
        await().atMost(Duration.ofSeconds(30)).until(() -> pid.get() > 0 && ProcFs.pipeSize(pid.get(), 1) == PAGE);
        // a stream that starts once the budget is reached adds at most its reserve before its first pause: 12 KiB on
        // a page, or what its child wrote before the start (at most a default pipe) and the stop slack
        assertThat(engine.metrics().bufferedBytes()).as("queued").isLessThanOrEqualTo(held + LATE_START);

        blockers.forEach(Disposable::dispose);
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().alive() == 1);
        probe.requestUnbounded();
        await().atMost(Duration.ofSeconds(30)).until(() -> ProcFs.pipeSize(pid.get(), 1) >= DEFAULT_PIPE);
        assertThat(probe.bytes.get()).isPositive();
        probe.dispose();
        OsProcesses.awaitNoLiveChildren();
    }

    @Test
    void theWholeOutputArrivesThroughAPipeThatShrankToAPageAndGrewBack() {
        long size = 256L << 20;
        List<Disposable> blockers = stallStreams();
        AtomicLong pid = new AtomicLong(-1);
        ZeroCounting probe = new ZeroCounting(0);
        engine.stream(Command.of("head", "-c", Long.toString(size), "/dev/zero"), pid::set).subscribe(probe);
        await().atMost(Duration.ofSeconds(30)).until(() -> pid.get() > 0 && ProcFs.pipeSize(pid.get(), 1) == PAGE);

        blockers.forEach(Disposable::dispose);
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().alive() == 1);
        probe.requestUnbounded();
        // the pipe grows while head still writes; a poll that comes too late finds head gone (-1) and fails
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2))
                .until(() -> ProcFs.pipeSize(pid.get(), 1), n -> n >= DEFAULT_PIPE || n < 0);
        assertThat(ProcFs.pipeSize(pid.get(), 1)).as("head's pipe while it writes").isGreaterThanOrEqualTo(DEFAULT_PIPE);
        await().atMost(Duration.ofSeconds(60)).until(() -> probe.exit != null);
        assertThat(probe.exit.isSuccess()).isTrue();
        assertThat(probe.bytes.get()).isEqualTo(size);
        assertThat(probe.nonZero.get()).isZero();
    }

    @Test
    void streamsWaitingForASlotDoNotShrinkThePipesOfTheRunningOnes() {
        // two slots, 240 streams waiting for them: the waiting ones hold nothing, which leaves the two running streams
        // the default pipe of a 128 KiB mark; counted as 242 running streams they would get one page
        try (ProcessEngine twoSlots = ProcessEngine.builder().maxConcurrency(2).maxPendingAcquire(300)
                .maxTotalBufferedBytes(8L << 20).killGracePeriod(Duration.ofMillis(500)).build()) {
            List<Disposable> streams = new ArrayList<>();
            AtomicLong pid = new AtomicLong(-1);
            for (int i = 0; i < 242; i++) {
                ZeroCounting s = new ZeroCounting(0);
                twoSlots.stream(Command.of("yes"), i == 0 ? pid::set : p -> { }).subscribe(s);
                streams.add(s);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> pid.get() > 0 && ProcFs.pipeSize(pid.get(), 1) > 0);
            assertThat(twoSlots.metrics().alive()).as("running").isLessThanOrEqualTo(2);
            assertThat(ProcFs.pipeSize(pid.get(), 1)).as("the first running stream's pipe").isEqualTo(DEFAULT_PIPE);
            streams.forEach(Disposable::dispose);
            OsProcesses.awaitNoLiveChildren();
        }
    }

    /**
     * {@link #STALLED} {@code yes} streams that take one chunk each and then stall until their processes are paused:
     * together they would hold more than the budget, so they reach it.
     */
    private List<Disposable> stallStreams() {
        List<Disposable> blockers = new ArrayList<>();
        for (int i = 0; i < STALLED; i++) {
            ZeroCounting s = new ZeroCounting(1);
            engine.stream(Command.of("yes")).subscribe(s);
            blockers.add(s);
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            long before = engine.metrics().bufferedBytes();
            return engine.metrics().alive() == STALLED && engine.metrics().pauses() >= STALLED
                    && engine.metrics().bufferedBytes() == before;
        });
        assertThat(engine.metrics().bufferedBytes()).as("queued by the stalled streams")
                .isGreaterThan(BUDGET / 2 - STALLED * 12 * 1024).isLessThanOrEqualTo(BUDGET + STALLED * LATE_START);
        return blockers;
    }
}
