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
import reactor.core.publisher.Mono;

/**
 * Streams queued behind {@code maxConcurrency} (an SSE server with many more clients than slots) have no process
 * and can queue nothing, so they hold none of the engine's budget: the streams that run keep the pipe and the pace
 * they would have alone, however many wait, and whatever holds the other slots ({@code execute}s, leases).
 */
@EnabledOnOs(OS.LINUX)
class WaitingStreamsBudgetIT {
    private static final long BUDGET = 8L << 20;
    /** Had each of them reserved a page's worth (12 KiB), together they would hold more than the whole budget. */
    private static final int WAITING = 700;
    private static final long FAST_BYTES = 64L << 20;
    private static final int DEFAULT_PIPE = 64 * 1024;
    /** The reserve of a stream on the default pipe: the pipe, one 64 KiB read and the 16 KiB stop slack. */
    private static final long DEFAULT_RESERVE = 144 * 1024;

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

        List<AtomicLong> pids = new ArrayList<>();
        List<ZeroCounting> fast = startStalled(engine, 2, FAST_BYTES, pids);
        List<ZeroCounting> waiting = subscribeWaiting(engine, WAITING);
        await().atMost(Duration.ofSeconds(30)).until(() -> pids.stream().allMatch(p -> p.get() > 0)
                && engine.metrics().alive() == 2 && engine.metrics().pauses() >= 2);
        assertThat(engine.metrics().pending()).as("streams waiting for a slot").isEqualTo(WAITING);
        assertKeepTheirPipes(engine, pids);
        EngineMetrics afterFast = drain(engine, fast, FAST_BYTES);
        System.out.printf("2 x %,d bytes beside %d waiting streams, budget %,d: pauses %d (budget %d)%n", FAST_BYTES,
                WAITING, BUDGET, afterFast.pauses(), afterFast.budgetPauses());
        assertThat(afterFast.budgetPauses()).as("pauses by the budget of the streams that ran").isZero();

        awaitExactCounts(waiting);
        EngineMetrics m = engine.metrics();
        assertThat(m.budgetPauses()).isZero();
        assertThat(m.succeeded()).isEqualTo(WAITING + 3);
        OsProcesses.awaitNoChildren();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(engine.metrics().acquired()).as("slots").isZero();
            assertThat(engine.metrics().pending()).as("waiting").isZero();
            assertThat(engine.metrics().bufferedBytes()).as("queued").isZero();
            assertThat(engine.metrics().reservedBytes()).as("reserved").isZero();
            assertThat(OsProcesses.openFileDescriptors()).as("descriptors").isLessThanOrEqualTo(fds);
        });
    }

    @Test
    void slotsHeldByExecutesAndLeasesAreFreeForNoWaitingStreamSoTheRunningOnesKeepTheirPipes() {
        int slots = 100;
        int leases = 90;
        int executes = 8;
        int running = slots - leases - executes;
        long budget = 1L << 20;
        // had each slot not held by a running stream counted a page's worth (12 KiB), they would pass the budget
        int waitingCount = 200;
        long bytes = 16L << 20;
        ProcessEngine held = ProcessEngine.builder().maxConcurrency(slots).maxPendingAcquire(waitingCount + 100)
                .maxTotalBufferedBytes(budget).killGracePeriod(Duration.ofMillis(500)).build();
        List<Disposable> holders = new ArrayList<>();
        try {
            for (int i = 0; i < leases; i++) {
                holders.add(held.withLease(lease -> Mono.never()).subscribe());
            }
            for (int i = 0; i < executes; i++) {
                holders.add(held.execute(Command.of("sleep", "60")).subscribe());
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> held.metrics().alive() == executes);
            assertThat(held.metrics().acquired()).isEqualTo(leases + executes);

            List<AtomicLong> pids = new ArrayList<>();
            List<ZeroCounting> fast = startStalled(held, running, bytes, pids);
            List<ZeroCounting> waiting = subscribeWaiting(held, waitingCount);
            await().atMost(Duration.ofSeconds(30)).until(() -> pids.stream().allMatch(p -> p.get() > 0)
                    && held.metrics().pauses() >= running);
            assertThat(held.metrics().pending()).as("streams waiting for a slot").isEqualTo(waitingCount);
            assertKeepTheirPipes(held, pids);
            EngineMetrics afterFast = drain(held, fast, bytes);
            System.out.printf("%d x %,d bytes beside %d waiting streams and %d slots held by leases and executes, "
                    + "budget %,d: pauses %d (budget %d)%n", running, bytes, waitingCount, leases + executes, budget,
                    afterFast.pauses(), afterFast.budgetPauses());
            assertThat(afterFast.budgetPauses()).as("pauses by the budget of the streams that ran").isZero();

            // the leases and executes give their slots to the waiting streams
            holders.forEach(Disposable::dispose);
            awaitExactCounts(waiting);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(held.metrics().acquired()).as("slots").isZero();
                assertThat(held.metrics().pending()).as("waiting").isZero();
                assertThat(held.metrics().reservedBytes()).as("reserved").isZero();
            });
        }
        finally {
            holders.forEach(Disposable::dispose);
            OsProcesses.closeAndAssertClean(held);
        }
    }

    /** Starts {@code n} streams of {@code bytes} zeros whose subscribers request nothing yet. */
    private static List<ZeroCounting> startStalled(ProcessEngine engine, int n, long bytes, List<AtomicLong> pids) {
        List<ZeroCounting> streams = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ZeroCounting c = new ZeroCounting(0);
            AtomicLong pid = new AtomicLong(-1);
            engine.stream(Command.of("head", "-c", Long.toString(bytes), "/dev/zero"), pid::set).subscribe(c);
            streams.add(c);
            pids.add(pid);
        }
        return streams;
    }

    /**
     * Asserts that the streams of {@code pids}, paused at their marks with nothing requested, have the pipe they
     * started with, not one page of a budget shared with the streams waiting for a slot, and no pause by the budget.
     */
    private static void assertKeepTheirPipes(ProcessEngine engine, List<AtomicLong> pids) {
        for (AtomicLong pid : pids) {
            assertThat(ProcFs.pipeSize(pid.get(), 1)).as("pipe of running pid %d", pid.get()).isEqualTo(DEFAULT_PIPE);
        }
        EngineMetrics m = engine.metrics();
        assertThat(m.budgetPauses()).as("pauses by the budget while nothing is requested").isZero();
        // each paused stream counts what is left of its reserve (what arrived since its pause is queued already),
        // the waiting streams nothing
        assertThat(m.reservedBytes()).as("reserved beside %d queued", m.bufferedBytes()).isPositive()
                .isLessThanOrEqualTo(pids.size() * DEFAULT_RESERVE);
    }

    /** @return the engine's metrics once the {@code fast} streams delivered their {@code bytes} zeros each */
    private static EngineMetrics drain(ProcessEngine engine, List<ZeroCounting> fast, long bytes) {
        fast.forEach(c -> c.request(Long.MAX_VALUE));
        await().atMost(Duration.ofSeconds(120)).until(() -> fast.stream().allMatch(c -> c.exit != null));
        for (ZeroCounting c : fast) {
            assertThat(c.exit.isSuccess()).isTrue();
            assertThat(c.bytes.get()).isEqualTo(bytes);
            assertThat(c.nonZero.get()).isZero();
        }
        return engine.metrics();
    }

    /** Subscribes {@code n} streams of {@code 1000 + i} zeros that request everything. */
    private static List<ZeroCounting> subscribeWaiting(ProcessEngine engine, int n) {
        List<ZeroCounting> waiting = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ZeroCounting c = new ZeroCounting(Long.MAX_VALUE);
            engine.stream(Command.of("head", "-c", Integer.toString(1000 + i), "/dev/zero")).subscribe(c);
            waiting.add(c);
        }
        return waiting;
    }

    private static void awaitExactCounts(List<ZeroCounting> waiting) {
        await().atMost(Duration.ofSeconds(180)).until(() -> waiting.stream().allMatch(c -> c.exit != null));
        for (int i = 0; i < waiting.size(); i++) {
            ZeroCounting c = waiting.get(i);
            assertThat(c.exit.isSuccess()).as("stream %d", i).isTrue();
            assertThat(c.bytes.get()).as("stream %d", i).isEqualTo(1000 + i);
            assertThat(c.nonZero.get()).isZero();
        }
    }
}
