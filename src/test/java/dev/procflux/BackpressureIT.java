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

    // the prototype's tight marks, not the defaults: the bounds asserted below are relative to them
    private final ProcessEngine engine = ProcessEngine.builder().maxConcurrency(70).watermarks(HIGH, 64 * 1024)
            .killGracePeriod(Duration.ofMillis(500)).build();

    @AfterEach
    void tearDown() {
        OsProcesses.closeAndAssertClean(engine);
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

    @Test
    void aFastSubscriberNeverLeavesTheProcessPausedOnAnEmptyQueue() {
        // Regression: a chunk delivered between its pause decision and the SIGSTOP must not leave the process stopped
        // with nothing queued and nobody to resume it; pipe(cat) at full speed pauses often enough to hit that race
        ByteBuffer block = ByteBuffer.allocate(64 * 1024).asReadOnlyBuffer();
        long total = 256L * 1024 * 1024;
        for (int round = 0; round < 3; round++) {
            Long piped = Flux.range(0, (int) (total / block.capacity())).map(i -> block.duplicate())
                    .transform(engine.pipe(Command.of("cat"))).reduce(0L, (n, b) -> n + b.remaining())
                    .block(Duration.ofSeconds(60));
            assertThat(piped).isEqualTo(total);
            Long streamed = engine.stream(Command.of("head", "-c", Long.toString(total), "/dev/zero"))
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

    @Test
    void aChildFloodingStderrWhileStdoutIsPausedNeitherDeadlocksNorGrowsMemory() {
        SlowCounter slow = new SlowCounter();
        engine.stream(Command.shell("head -c 20000000 /dev/zero >&2 & head -c 20000000 /dev/zero; wait"))
                .subscribe(slow);
        await().atMost(Duration.ofSeconds(120)).until(() -> slow.exited);
        assertThat(slow.bytes.get()).isEqualTo(40_000_000L);
        // stdout and stderr are two pipes: each may hold one read after the pause
        assertThat(engine.metrics().peakBufferedBytes()).isLessThanOrEqualTo(HIGH + 2 * READ);
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
        assertThat(requested.get()).isLessThanOrEqualTo(256 + 3);
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
