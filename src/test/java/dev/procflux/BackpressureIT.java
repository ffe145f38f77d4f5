package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** End-to-end backpressure: slow subscribers pause the process; stdin streams from a publisher. */
@EnabledOnOs(OS.LINUX)
class BackpressureIT {
    private static final long HIGH = 256 * 1024;
    private static final long READ = 64 * 1024;
    /**
     * Writes 64 MiB, then reports its stdout pipe's capacity (F_GETPIPE_SZ) on stderr. A SIGSTOP that lands while it
     * is blocked on the full pipe ends that write(2) early with a short count, so it writes the rest of each block
     * again, as a correct writer must.
     */
    private static final String PIPE_REPORTER = "import fcntl, os, sys\n"
            + "block = b'x' * 65536\n"
            + "for _ in range(1024):\n"
            + "    rest = memoryview(block)\n"
            + "    while rest:\n"
            + "        rest = rest[os.write(1, rest):]\n"
            + "sys.stderr.write(str(fcntl.fcntl(1, 1032)))\n";

    // the prototype's tight marks, not the defaults: the bounds asserted below are relative to them
    private final ProcessEngine engine = ProcessEngine.builder().maxConcurrency(70).watermarks(HIGH, 64 * 1024)
            .killGracePeriod(Duration.ofMillis(500)).build();
    // the tests that take a boolean run on both read paths
    private final ReadPaths paths = new ReadPaths(engine);

    @AfterEach
    void tearDown() {
        paths.closeAndAssertClean();
    }

    /** Requests one chunk at a time on a timer: roughly {@code bytesPerSecond} for 64 KiB chunks. */
    private static final class SlowCounter extends BaseSubscriber<ProcessOutput> {
        final AtomicLong bytes = new AtomicLong();
        volatile boolean exited;

        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
            s.request(1);
        }

        @Override
        protected void hookOnNext(ProcessOutput o) {
            if (o.isExit()) {
                exited = true;
                return;
            }
            bytes.addAndGet(o.size());
            Schedulers.parallel().schedule(() -> request(1), 1, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void aSlowSubscriberPausesTheProcessAndQueuedBytesStayUnderTheHighWaterMark() {
        slowSubscriberStaysUnderTheHighWaterMark(64L * 1024 * 1024, Duration.ofSeconds(120));
    }

    /** The full size, 2 GiB to a subscriber taking one chunk per millisecond: minutes, so {@code -Psoak}. */
    @Test
    @org.junit.jupiter.api.Tag("soak")
    void twoGibibytesToASlowSubscriberStayUnderTheHighWaterMark() {
        slowSubscriberStaysUnderTheHighWaterMark(2L * 1024 * 1024 * 1024, Duration.ofMinutes(10));
    }

    private void slowSubscriberStaysUnderTheHighWaterMark(long total, Duration atMost) {
        SlowCounter slow = new SlowCounter();
        engine.stream(Command.of("head", "-c", Long.toString(total), "/dev/zero")).subscribe(slow);
        await().atMost(atMost).until(() -> slow.exited);
        assertThat(slow.bytes.get()).isEqualTo(total);
        assertThat(engine.metrics().pauses()).isPositive();
        assertThat(engine.metrics().peakBufferedBytes()).isLessThanOrEqualTo(HIGH + READ);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aFastSubscriberNeverLeavesTheProcessPausedOnAnEmptyQueue(boolean direct) {
        // Regression: a chunk delivered between its pause decision and the SIGSTOP must not leave the process stopped
        // with nothing queued and nobody to resume it; pipe(cat) at full speed pauses often enough to hit that race
        ByteBuffer block = ByteBuffer.allocate(64 * 1024).asReadOnlyBuffer();
        long total = 256L * 1024 * 1024;
        for (int round = 0; round < 3; round++) {
            Long piped = Flux.range(0, (int) (total / block.capacity())).map(i -> block.duplicate())
                    .transform(paths.engine(direct).pipe(Command.of("cat"))).reduce(0L, (n, b) -> n + b.remaining())
                    .block(Duration.ofSeconds(60));
            assertThat(piped).isEqualTo(total);
            Long streamed = paths.engine(direct).stream(Command.of("head", "-c", Long.toString(total), "/dev/zero"))
                    .reduce(0L, (n, o) -> n + o.size()).block(Duration.ofSeconds(60));
            assertThat(streamed).isEqualTo(total);
        }
    }

    @Test
    void cancellingAPausedProcessKillsItAndLeavesNothingStopped() {
        List<Long> pids = new ArrayList<>();
        StepVerifier.create(engine.stream(Command.shell("echo $$; yes")), 1)
                .assertNext(o -> pids.add(Long.parseLong(o.text().trim().split("\n")[0])))
                .then(() -> await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().pauses() > 0))
                .then(() -> assertThat(OsProcesses.liveDescendants()).anyMatch(p -> OsProcesses.state(p.pid()) == 'T'))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        OsProcesses.awaitNoLiveChildren();
        assertThat(OsProcesses.state(pids.get(0))).isIn('?', 'Z');
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aChildFloodingStderrWhileStdoutIsPausedNeitherDeadlocksNorGrowsMemory(boolean direct) {
        SlowCounter slow = new SlowCounter();
        paths.engine(direct).stream(Command.shell("head -c 20000000 /dev/zero >&2 & head -c 20000000 /dev/zero; wait"))
                .subscribe(slow);
        await().atMost(Duration.ofSeconds(120)).until(() -> slow.exited);
        assertThat(slow.bytes.get()).isEqualTo(40_000_000L);
        // stdout and stderr are two pipes: each may hold one read after the pause
        assertThat(paths.engine(direct).metrics().peakBufferedBytes()).isLessThanOrEqualTo(HIGH + 2 * READ);
    }

    @Test
    void sixtyFourSlowSubscribersOnYesStayWithinTheirBounds() {
        List<Disposable> subs = new ArrayList<>();
        AtomicLong received = new AtomicLong();
        for (int i = 0; i < 64; i++) {
            BaseSubscriber<ProcessOutput> twoChunks = new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                    s.request(2);
                }

                @Override
                protected void hookOnNext(ProcessOutput o) {
                    received.addAndGet(o.size());
                }
            };
            engine.stream(Command.of("yes")).subscribe(twoChunks);
            subs.add(twoChunks);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.metrics().alive() == 64
                && engine.metrics().pauses() >= 64);
        EngineMetrics m = engine.metrics();
        assertThat(m.bufferedBytes()).isLessThanOrEqualTo(64 * (HIGH + READ));
        assertThat(m.peakBufferedBytes()).isLessThanOrEqualTo(HIGH + READ);
        subs.forEach(Disposable::dispose);
    }

    /** Asks for {@code first} chunks, then nothing more: a client that stopped reading. */
    private static final class Stalling extends BaseSubscriber<ProcessOutput> {
        private final long untilBytes;
        final AtomicLong bytes = new AtomicLong();

        /** Takes chunks one at a time, each asked for from {@code onNext}, until {@code untilBytes}; then stalls. */
        Stalling(long untilBytes) {
            this.untilBytes = untilBytes;
        }

        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
            s.request(1);
        }

        @Override
        protected void hookOnNext(ProcessOutput o) {
            if (bytes.addAndGet(o.size()) < untilBytes) {
                request(1);
            }
        }
    }

    @Test
    void sixtyFourStalledSubscribersHoldOnlyTheSmallMarkWhateverTheLargestMarkIs() {
        // the largest mark is 8 MiB, but a subscriber that never drains never earns more than the initial 128 KiB
        long small = 128 * 1024;
        try (ProcessEngine wide = ProcessEngine.builder().maxConcurrency(70).watermarks(8L << 20, 2L << 20)
                .maxBufferedBytes(16L << 20).killGracePeriod(Duration.ofMillis(500)).build()) {
            Runtime rt = Runtime.getRuntime();
            System.gc();
            long heapBefore = rt.totalMemory() - rt.freeMemory();
            List<Stalling> subs = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                Stalling stalled = new Stalling(1);
                wide.stream(Command.of("yes")).subscribe(stalled);
                subs.add(stalled);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> wide.metrics().alive() == 64
                    && wide.metrics().pauses() >= 64);
            EngineMetrics m = wide.metrics();
            assertThat(m.peakBufferedBytes()).isLessThanOrEqualTo(small + READ);
            assertThat(m.bufferedBytes()).isLessThanOrEqualTo(64 * (small + READ));
            System.gc();
            long grown = rt.totalMemory() - rt.freeMemory() - heapBefore;
            System.out.printf("64 stalled streams on yes: heap growth after GC %,d bytes, queued %,d bytes%n", grown,
                    m.bufferedBytes());
            assertThat(grown).isLessThan(16L << 20);
            subs.forEach(Disposable::dispose);
            OsProcesses.awaitNoLiveChildren();
        }
    }

    @Test
    void aFastSubscriberEarnsALargerMarkAndSoPausesFarLessThanAtTheSmallMark() {
        long total = 256L * 1024 * 1024;
        Command head = Command.of("head", "-c", Long.toString(total), "/dev/zero");
        // a largest mark equal to the initial one keeps every stream at 128 KiB: the fixed small mark
        try (ProcessEngine fixed = ProcessEngine.builder().watermarks(128 * 1024, 16 * 1024).build();
                ProcessEngine adaptive = ProcessEngine.builder().watermarks(8L << 20, 2L << 20)
                        .maxBufferedBytes(16L << 20).build()) {
            long fixedPauses = 0;
            long adaptivePauses = 0;
            for (int round = 0; round < 2; round++) {
                assertThat(fixed.stream(head).reduce(0L, (n, o) -> n + o.size()).block(Duration.ofSeconds(60)))
                        .isEqualTo(total);
                assertThat(adaptive.stream(head).reduce(0L, (n, o) -> n + o.size()).block(Duration.ofSeconds(60)))
                        .isEqualTo(total);
            }
            fixedPauses = fixed.metrics().pauses();
            adaptivePauses = adaptive.metrics().pauses();
            System.out.printf("2 x 256 MiB to a fast subscriber: pauses at the fixed 128 KiB mark %d, adaptive %d; "
                    + "peak queued %d / %d%n", fixedPauses, adaptivePauses, fixed.metrics().peakBufferedBytes(),
                    adaptive.metrics().peakBufferedBytes());
            // the fixed mark pauses many times per 256 MiB; the adaptive one pays a few pauses to grow, then few more
            assertThat(fixedPauses).isGreaterThan(20);
            assertThat(adaptivePauses * 4).isLessThan(fixedPauses);
        }
    }

    @Test
    void aFastStreamGetsALargerPipeAndASlowOneKeepsTheDefault() {
        String child = PIPE_REPORTER;
        try (ProcessEngine wide = ProcessEngine.builder().watermarks(4L << 20, 1L << 20).build()) {
            // a quarter of the mark it earned: 128 KiB at 512 KiB, up to 1 MiB at 4 MiB
            assertThat(fastPipe(wide, child)).as("the fast stream's pipe capacity").isGreaterThan(64 * 1024);
        }
        // a subscriber that drains slowly falls back to the small mark whenever it stalls: its pipe ends at 64 KiB
        SlowCounter slow = new SlowCounter();
        StringBuilder slowPipe = new StringBuilder();
        engine.stream(Command.of("python3", "-c", child.replace("range(1024)", "range(64)")))
                .doOnNext(o -> {
                    if (o.kind() == ProcessOutput.Kind.STDERR) {
                        slowPipe.append(o.text());
                    }
                })
                .subscribe(slow);
        await().atMost(Duration.ofSeconds(60)).until(() -> slow.exited);
        assertThat(slowPipe.toString()).as("the slow stream's pipe capacity").isEqualTo(Integer.toString(64 * 1024));
    }

    @Test
    void streamsBeyondWhatTheBudgetGivesTheLargestMarkAllKeepTheInitialMarkAndPipe() {
        String child = PIPE_REPORTER;
        // a budget of two largest marks: with three streams open, none may earn a larger mark than the others
        try (ProcessEngine shared = ProcessEngine.builder().watermarks(4L << 20, 1L << 20)
                .maxTotalBufferedBytes(8L << 20).killGracePeriod(Duration.ofMillis(500)).build()) {
            List<Stalling> stalled = List.of(new Stalling(0), new Stalling(0));
            stalled.forEach(s -> shared.stream(Command.of("yes")).subscribe(s));
            await().atMost(Duration.ofSeconds(30)).until(() -> shared.metrics().pauses() >= 2);
            assertThat(fastPipe(shared, child)).as("a fast stream's pipe beside two stalled ones")
                    .isEqualTo(64 * 1024);
            stalled.forEach(Disposable::dispose);
            OsProcesses.awaitNoLiveChildren();
            // alone, the same stream fits the budget with the largest mark and earns it
            assertThat(fastPipe(shared, child)).as("the same stream's pipe alone").isGreaterThan(64 * 1024);
        }
    }

    /** @return the stdout pipe capacity that {@code child} reports after a subscriber drained it at full speed */
    private static int fastPipe(ProcessEngine engine, String child) {
        StringBuilder pipe = new StringBuilder();
        Long bytes = engine.stream(Command.of("python3", "-c", child))
                .doOnNext(o -> {
                    if (o.kind() == ProcessOutput.Kind.STDERR) {
                        pipe.append(o.text());
                    }
                })
                .filter(o -> o.kind() == ProcessOutput.Kind.STDOUT).reduce(0L, (n, o) -> n + o.size())
                .block(Duration.ofSeconds(60));
        assertThat(bytes).isEqualTo(64L << 20);
        return Integer.parseInt(pipe.toString());
    }

    @Test
    void theEngineBudgetBoundsTheOutputQueuedByTwoHundredStreams() {
        long budget = 16L << 20;
        // marks up to 384 KiB: their pipes stay at 64 KiB. Marks grow only while the budget could give every open stream
        // the largest one (41 streams here), so 40 streams earn large marks first, then 160 more join; without the
        // budget the 200 stalled streams could hold up to 40 x 448 KiB + 160 x 192 KiB = 47.5 MiB
        try (ProcessEngine budgeted = ProcessEngine.builder().maxConcurrency(200).watermarks(384 * 1024, 64 * 1024)
                .maxTotalBufferedBytes(budget).killGracePeriod(Duration.ofMillis(500)).build()) {
            // each of the first 40 reads 32 MiB as fast as it can, then stops reading; the others never read
            List<Stalling> subs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Stalling s = new Stalling(32L << 20);
                budgeted.stream(Command.of("yes")).subscribe(s);
                subs.add(s);
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> subs.stream().allMatch(s -> s.bytes.get() >= 2L << 20));
            for (int i = 0; i < 160; i++) {
                Stalling s = new Stalling(0);
                budgeted.stream(Command.of("yes")).subscribe(s);
                subs.add(s);
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> subs.stream().limit(40)
                    .allMatch(s -> s.bytes.get() >= 32L << 20) && budgeted.metrics().alive() == 200);
            // all stalled now: every process ends up paused and the total stops moving
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                long before = budgeted.metrics().bufferedBytes();
                return budgeted.metrics().pauses() >= 200 && budgeted.metrics().bufferedBytes() == before;
            });
            EngineMetrics m = budgeted.metrics();
            System.out.printf("200 streams, budget %,d: queued %,d bytes, pauses %d (budget %d), peak %,d%n", budget,
                    m.bufferedBytes(), m.pauses(), m.budgetPauses(), m.peakBufferedBytes());
            assertThat(m.budgetPauses()).isPositive();
            // the budget counts what each stream may still queue after its pause, so the total never passes it
            assertThat(m.bufferedBytes()).isLessThanOrEqualTo(budget);
            subs.forEach(Disposable::dispose);
            OsProcesses.awaitNoLiveChildren();
            // a cancelled stream releases its queue on its delivery thread, after its process is gone
            await().atMost(Duration.ofSeconds(30)).untilAsserted(
                    () -> assertThat(budgeted.metrics().bufferedBytes()).isZero());
        }
    }

    @Test
    void stalledStreamsHoldingTheBudgetPauseAndAFastStreamBesideThemDoesNotPausePerChunk() {
        long budget = 4L << 20;
        long total = 64L << 20;
        Command head = Command.of("head", "-c", Long.toString(total), "/dev/zero");
        try (ProcessEngine budgeted = ProcessEngine.builder().maxConcurrency(48).maxTotalBufferedBytes(budget)
                .killGracePeriod(Duration.ofMillis(500)).build()) {
            long before = budgeted.metrics().pauses();
            assertThat(budgeted.stream(head).reduce(0L, (n, o) -> n + o.size()).block(Duration.ofSeconds(60)))
                    .isEqualTo(total);
            long alone = budgeted.metrics().pauses() - before;

            // 40 streams that never read past their first chunk: together they would hold more than the budget
            List<Stalling> stalled = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Stalling s = new Stalling(1);
                budgeted.stream(Command.of("yes")).subscribe(s);
                stalled.add(s);
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                long queued = budgeted.metrics().bufferedBytes();
                return budgeted.metrics().alive() == 40 && budgeted.metrics().pauses() - before - alone >= 40
                        && budgeted.metrics().bufferedBytes() == queued;
            });
            EngineMetrics held = budgeted.metrics();
            long beforeBeside = held.pauses();
            long budgetPausesBeside = held.budgetPauses();
            assertThat(budgeted.stream(head).reduce(0L, (n, o) -> n + o.size()).block(Duration.ofSeconds(120)))
                    .isEqualTo(total);
            EngineMetrics m = budgeted.metrics();
            long beside = m.pauses() - beforeBeside;
            System.out.printf("64 MiB to a fast subscriber, budget %,d: %d pauses alone, %d beside 40 stalled streams "
                    + "(%d of them by the budget) holding %,d bytes and reserving %,d; queued at most %,d%n", budget,
                    alone, beside, m.budgetPauses() - budgetPausesBeside, held.bufferedBytes(), held.reservedBytes(),
                    m.bufferedBytes());
            // the stalled streams hold the most, so they stopped; had every stream that reads paused, the fast one
            // would have paused at each of its reads: 4,096 of them with the 16 KiB pipe that 41 streams get on
            // 4 MiB, and more with smaller pipes
            assertThat(held.budgetPauses()).as("pauses of the stalled streams by the budget").isPositive();
            long reads = total / (16 * 1024);
            assertThat(beside).as("pauses of the fast stream beside them, per %d reads", reads)
                    .isLessThan(reads / 2);
            assertThat(m.bufferedBytes()).isLessThanOrEqualTo(budget);
            stalled.forEach(Disposable::dispose);
            OsProcesses.awaitNoLiveChildren();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(
                    () -> assertThat(budgeted.metrics().bufferedBytes()).isZero());
        }
    }

    @Test
    void stdinStreamsFromAPublisherOnlyAsFastAsThePipeTakesIt() throws Exception {
        Random random = new Random(7);
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            byte[] b = new byte[64 * 1024];
            random.nextBytes(b);
            chunks.add(b);
        }
        AtomicLong requested = new AtomicLong();
        Flux<ByteBuffer> input = Flux.fromIterable(chunks).map(ByteBuffer::wrap)
                .doOnRequest(requested::addAndGet);
        MessageDigest in = MessageDigest.getInstance("SHA-256");
        chunks.forEach(in::update);
        MessageDigest out = MessageDigest.getInstance("SHA-256");
        Long total = engine.pipe(Command.of("cat")).apply(input)
                .map(b -> {
                    long n = b.remaining();
                    out.update(b);
                    return n;
                })
                .reduce(0L, Long::sum).block(Duration.ofSeconds(60));
        assertThat(total).isEqualTo(256L * 64 * 1024);
        assertThat(out.digest()).isEqualTo(in.digest());
        // the pump asks for at most 8 buffers ahead of what the pipe took (StdinPump.PREFETCH), in steps of 4: a step
        // asked for while the last buffers go in can reach past the end of a finite publisher
        assertThat(requested.get()).isLessThanOrEqualTo(256 + 8);
    }

    @Test
    void gzipThenGunzipPipesRoundTripRandomDataWithBoundedHeap() throws Exception {
        gzipRoundTrip(64L * 1024 * 1024);
    }

    /** The full size, 512 MiB, with {@code -Psoak}. */
    @Test
    @org.junit.jupiter.api.Tag("soak")
    void gzipThenGunzipRoundTripsHalfAGibibyteWithBoundedHeap() throws Exception {
        gzipRoundTrip(512L * 1024 * 1024);
    }

    private void gzipRoundTrip(long size) throws Exception {
        Random random = new Random(11);
        MessageDigest in = MessageDigest.getInstance("SHA-256");
        Flux<ByteBuffer> input = Flux.generate(() -> 0L, (sent, sink) -> {
            if (sent >= size) {
                sink.complete();
                return sent;
            }
            byte[] b = new byte[64 * 1024];
            random.nextBytes(b);
            in.update(b);
            sink.next(ByteBuffer.wrap(b));
            return sent + b.length;
        });
        MessageDigest out = MessageDigest.getInstance("SHA-256");
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        long[] heapPeak = {0};
        Long total = input.transform(engine.pipe(Command.of("gzip", "-c", "-1")))
                .transform(engine.pipe(Command.of("gunzip", "-c")))
                .map(b -> {
                    long n = b.remaining();
                    out.update(b);
                    heapPeak[0] = Math.max(heapPeak[0], rt.totalMemory() - rt.freeMemory());
                    return n;
                })
                .reduce(0L, Long::sum).block(Duration.ofMinutes(15));
        assertThat(total).isEqualTo(size);
        assertThat(out.digest()).isEqualTo(in.digest());
        assertThat(engine.metrics().peakBufferedBytes()).isLessThanOrEqualTo(HIGH + 2 * READ);
        // allocation churn is collected; what matters is that nothing accumulates: live heap stays bounded
        System.gc();
        assertThat(rt.totalMemory() - rt.freeMemory() - heapBefore).isLessThan(32L * 1024 * 1024);
    }

    @Test
    void aFailingStdinPublisherKillsTheProcessAndPropagatesTheError() {
        Flux<ByteBuffer> input = Flux.concat(Flux.just(ByteBuffer.wrap("hello\n".getBytes())),
                Flux.error(new IllegalStateException("upstream broke")));
        StepVerifier.create(engine.pipe(Command.of("cat")).apply(input))
                .thenConsumeWhile(b -> true)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessage("upstream broke"))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aNonZeroExitInAPipeFailsWithTheStderrTail() {
        StepVerifier.create(engine.pipe(Command.shell("cat >/dev/null; echo broken >&2; exit 5"))
                        .apply(Flux.just(ByteBuffer.wrap(new byte[10]))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessExitException.class)
                        .hasMessageContaining("exit 5").hasMessageContaining("broken"))
                .verify(Duration.ofSeconds(10));
    }
}
