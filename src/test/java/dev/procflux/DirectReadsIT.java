package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.testsupport.ProcFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Streams of an engine with {@code directReads(true)}: stdout read by the delivery drain as the subscriber asks.
 * The tests that take a boolean run on both paths: the direct one must behave as the NuProcess one.
 */
@EnabledOnOs(OS.LINUX)
class DirectReadsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Writes {@code argv[1]} bytes, byte i being i % 251, in writes of varying sizes. */
    private static final String PATTERN = "import os, sys\n"
            + "n = int(sys.argv[1]); i = 0; k = 1\n"
            + "while i < n:\n"
            + "    m = min(n - i, 1 + (k * 7919) % 200000); k += 1\n"
            + "    b = bytes((j % 251) for j in range(i, i + m))\n"
            + "    v = memoryview(b)\n"
            + "    while v:\n"
            + "        v = v[os.write(1, v):]\n"
            + "    i += m\n";

    private final List<ProcessEngine> engines = new ArrayList<>();

    private ProcessEngine engine(boolean direct) {
        ProcessEngine e = ProcessEngine.builder().directReads(direct).maxConcurrency(8)
                .killGracePeriod(Duration.ofMillis(500)).build();
        engines.add(e);
        return e;
    }

    @AfterEach
    void tearDown() {
        engines.forEach(OsProcesses::closeAndAssertClean);
    }

    @Test
    void theOptionIsOffByDefaultAndKeptByToBuilder() {
        assertThat(ProcessEngine.builder().buildOptions().directReads()).isFalse();
        EngineOptions on = ProcessEngine.builder().directReads(true).buildOptions();
        assertThat(on.directReads()).isTrue();
        assertThat(on.toBuilder().buildOptions().directReads()).isTrue();
        assertThat(on.toString()).contains("directReads=true");
    }

    @Test
    void sixtyFourMibibytesOfZerosArriveExactlyAndNothingIsQueued() {
        ProcessEngine engine = engine(true);
        AtomicLong nonZero = new AtomicLong();
        AtomicLong largest = new AtomicLong();
        Long total = engine.stream(Command.of("head", "-c", Long.toString(64L << 20), "/dev/zero"))
                .filter(o -> !o.isExit())
                .reduce(0L, (n, o) -> {
                    for (byte b : o.bytes()) {
                        if (b != 0) {
                            nonZero.incrementAndGet();
                        }
                    }
                    largest.accumulateAndGet(o.size(), Math::max);
                    return n + o.size();
                })
                .block(WAIT);
        assertThat(total).isEqualTo(64L << 20);
        assertThat(nonZero.get()).isZero();
        assertThat(largest.get()).isLessThanOrEqualTo(64 * 1024);
        // stdout never reaches the queue: the peak counts queued chunks only
        assertThat(engine.metrics().peakBufferedBytes()).isZero();
        assertThat(engine.metrics().pauses()).isZero();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aPatternWrittenInUnevenWritesArrivesByteForByte(boolean direct) throws Exception {
        int size = 24 * 1024 * 1024 + 12345;
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        byte[] all = new byte[size];
        for (int i = 0; i < size; i++) {
            all[i] = (byte) (i % 251);
        }
        expected.update(all);
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        AtomicLong bytes = new AtomicLong();
        List<ProcessOutput> exits = new ArrayList<>();
        engine(direct).stream(Command.of("python3", "-c", PATTERN, Integer.toString(size)))
                .doOnNext(o -> {
                    if (o.isExit()) {
                        exits.add(o);
                    }
                    else {
                        assertThat(exits).as("output after the exit").isEmpty();
                        got.update(o.bytes());
                        bytes.addAndGet(o.size());
                    }
                })
                .blockLast(WAIT);
        assertThat(bytes.get()).isEqualTo(size);
        assertThat(HexFormat.of().formatHex(got.digest())).isEqualTo(HexFormat.of().formatHex(expected.digest()));
        assertThat(exits).singleElement().satisfies(o -> assertThat(o.exitStatus()).isEqualTo(ExitStatus.exited(0)));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aSubscriberAskingForOneChunkAtATimeGetsEveryByteAndTheExit(boolean direct) {
        long size = 16L << 20;
        AtomicLong bytes = new AtomicLong();
        AtomicReference<ExitStatus> exit = new AtomicReference<>();
        BaseSubscriber<ProcessOutput> oneByOne = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                s.request(1);
            }

            @Override
            protected void hookOnNext(ProcessOutput o) {
                if (o.isExit()) {
                    exit.set(o.exitStatus());
                }
                else {
                    bytes.addAndGet(o.size());
                }
                request(1); // demand runs out after every chunk: the pipe is watched for its hang-up in between
            }
        };
        engine(direct).stream(Command.shell("head -c " + size + " /dev/zero; head -c 1000 /dev/zero >&2"))
                .subscribe(oneByOne);
        await().atMost(WAIT).until(() -> exit.get() != null);
        assertThat(bytes.get()).isEqualTo(size + 1000);
        assertThat(exit.get()).isEqualTo(ExitStatus.exited(0));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void stdoutAndStderrInterleavedArriveWholeAndTheExitComesLast(boolean direct) {
        String script = "i=0; while [ $i -lt 2000 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done; exit 3";
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        List<ExitStatus> exits = new ArrayList<>();
        engine(direct).stream(Command.shell(script)).doOnNext(o -> {
            assertThat(exits).as("output after the exit").isEmpty();
            switch (o.kind()) {
                case STDOUT -> out.append(o.text());
                case STDERR -> err.append(o.text());
                default -> exits.add(o.exitStatus());
            }
        }).blockLast(WAIT);
        StringBuilder wantOut = new StringBuilder();
        StringBuilder wantErr = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            wantOut.append("out").append(i).append('\n');
            wantErr.append("err").append(i).append('\n');
        }
        assertThat(out.toString()).isEqualTo(wantOut.toString());
        assertThat(err.toString()).isEqualTo(wantErr.toString());
        assertThat(exits).containsExactly(ExitStatus.exited(3));
    }

    /** Waits until no child is left, the engine runs nothing and the JVM holds no more descriptors than {@code fds}. */
    private static void awaitNothingLeft(ProcessEngine engine, long fds) {
        OsProcesses.awaitNoLiveChildren();
        await().atMost(WAIT).until(() -> engine.metrics().alive() == 0);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(OsProcesses.openFileDescriptors())
                .as("open descriptors").isLessThanOrEqualTo(fds));
    }

    /**
     * Runs a few commands first: the poller thread with its epoll descriptor, NuProcess's I/O threads (each with an
     * epoll descriptor of its own), the delivery threads and the JNA bindings exist from then on, for the JVM's life.
     *
     * @return the descriptors open after the warm-up
     */
    private static long descriptorsAfterWarmUp(ProcessEngine engine) {
        for (int i = 0; i < 20; i++) {
            assertThat(engine.lines(Command.of("echo", "warm", Integer.toString(i))).collectList().block(WAIT))
                    .containsExactly("warm " + i);
        }
        // the poller exists even when the engine under test reads through NuProcess
        ProcessEngine direct = ProcessEngine.builder().directReads(true).build();
        try {
            assertThat(direct.lines(Command.of("echo", "warm")).collectList().block(WAIT)).containsExactly("warm");
        }
        finally {
            OsProcesses.closeAndAssertClean(direct);
        }
        return OsProcesses.openFileDescriptors();
    }

    @Test
    void threeHundredSmallRunsLeakNoDescriptorAndNoThread() {
        ProcessEngine engine = engine(true);
        long fds = descriptorsAfterWarmUp(engine);
        int threads = Thread.activeCount();
        List<String> got = Flux.range(0, 300)
                .flatMap(i -> engine.lines(Command.of("echo", "hello", Integer.toString(i))), 8)
                .collectList().block(Duration.ofSeconds(120));
        assertThat(got).hasSize(300).allMatch(s -> s.startsWith("hello "));
        assertThat(got.stream().map(s -> s.substring(6)).distinct().count()).isEqualTo(300);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(OsProcesses.openFileDescriptors()).as("open descriptors").isLessThanOrEqualTo(fds);
            assertThat(Thread.activeCount()).as("threads").isLessThanOrEqualTo(threads);
        });
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().equals("procflux-stdout-poll"))
                .hasSize(1);
    }

    /** Asks for one chunk, then for nothing. */
    private static final class Stalled extends BaseSubscriber<ProcessOutput> {
        final AtomicReference<String> first = new AtomicReference<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();

        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
            s.request(1);
        }

        @Override
        protected void hookOnNext(ProcessOutput o) {
            first.compareAndSet(null, o.text());
        }

        @Override
        protected void hookOnError(Throwable e) {
            error.set(e);
        }
    }

    /** @return bytes the process wrote so far ({@code wchar} of /proc/PID/io) */
    private static long written(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
            if (line.startsWith("wchar:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        throw new IllegalStateException("no wchar in /proc/" + pid + "/io");
    }

    /** Waits until {@code pid} sleeps (not stopped) and wrote nothing since the last look. */
    private static void awaitBlockedInWrite(long pid) {
        AtomicLong last = new AtomicLong(-1);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            long now = written(pid);
            boolean still = now == last.getAndSet(now);
            return still && OsProcesses.state(pid) == 'S';
        });
    }

    private static long pidOf(Stalled s) {
        await().atMost(WAIT).until(() -> s.first.get() != null);
        return Long.parseLong(s.first.get().split("\n")[0].trim());
    }

    @Test
    void aStalledSubscriberLeavesTheChildBlockedInWriteNotStoppedAndQueuesNothing() throws Exception {
        ProcessEngine engine = engine(true);
        Stalled stalled = new Stalled();
        engine.stream(Command.shell("echo $$; exec yes")).subscribe(stalled);
        long pid = pidOf(stalled);
        awaitBlockedInWrite(pid);
        assertThat(OsProcesses.state(pid)).isEqualTo('S');
        String wchan = Files.readString(Path.of("/proc/" + pid + "/wchan"));
        // kernels that hide symbols show 0; otherwise the writer waits in the pipe's write
        assertThat(wchan).matches("0|.*pipe.*");
        assertThat(engine.metrics().bufferedBytes()).isZero();
        assertThat(engine.metrics().pauses()).isZero();
        stalled.cancel();
        OsProcesses.awaitNoLiveChildren();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aChildWhoseOutputNobodyAskedForStillEndsAndFreesItsSlotBeforeItsTimeout(boolean direct) {
        ProcessEngine engine = engine(direct);
        List<ProcessOutput> got = new ArrayList<>();
        BaseSubscriber<ProcessOutput> idle = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                // asks for nothing yet
            }

            @Override
            protected void hookOnNext(ProcessOutput o) {
                got.add(o);
            }
        };
        // the output fits the pipe: the child exits while it waits there (or in the queue) for the subscriber
        engine.stream(Command.shell("echo first; echo second >&2; echo third").withTimeout(Duration.ofSeconds(3)))
                .subscribe(idle);
        await().atMost(WAIT).until(() -> engine.metrics().succeeded() == 1);
        assertThat(engine.metrics().acquired()).as("slots held").isZero();
        assertThat(engine.metrics().timedOut()).isZero();
        idle.request(Long.MAX_VALUE);
        await().atMost(WAIT).until(() -> got.stream().anyMatch(ProcessOutput::isExit));
        StringBuilder out = new StringBuilder();
        got.stream().filter(o -> o.kind() == ProcessOutput.Kind.STDOUT).forEach(o -> out.append(o.text()));
        assertThat(out.toString()).isEqualTo("first\nthird\n");
        assertThat(got.get(got.size() - 1).exitStatus()).isEqualTo(ExitStatus.exited(0));
    }

    @Test
    void sixtyFourStalledStreamsOnYesQueueNothingStopNothingAndLeaveNothingBehind() {
        ProcessEngine engine = ProcessEngine.builder().directReads(true).maxConcurrency(64)
                .killGracePeriod(Duration.ofMillis(500)).build();
        engines.add(engine);
        long fds = descriptorsAfterWarmUp(engine);
        List<Stalled> streams = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            Stalled s = new Stalled();
            engine.stream(Command.shell("echo $$; exec yes")).subscribe(s);
            streams.add(s);
        }
        List<Long> pids = new ArrayList<>();
        streams.forEach(s -> pids.add(pidOf(s)));
        pids.forEach(DirectReadsIT::awaitBlockedInWrite);
        assertThat(engine.metrics().alive()).isEqualTo(64);
        assertThat(engine.metrics().bufferedBytes()).isZero();
        assertThat(engine.metrics().pauses()).isZero();
        streams.forEach(BaseSubscriber::cancel);
        awaitNothingLeft(engine, fds);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void cancellingAStalledStreamKillsTheTreeAndTheBackgroundJobHoldingStdout(boolean direct) {
        ProcessEngine engine = engine(direct);
        long fds = descriptorsAfterWarmUp(engine);
        Stalled stalled = new Stalled();
        engine.stream(Command.shell("echo $$; sleep 60 2>/dev/null & yes")).subscribe(stalled);
        pidOf(stalled);
        await().atMost(WAIT).until(() -> OsProcesses.liveDescendants().size() >= 2);
        stalled.cancel();
        awaitNothingLeft(engine, fds);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aTimeoutWhileStalledKillsTheTreeAndReachesTheSubscriberWithoutDemand(boolean direct) {
        ProcessEngine engine = engine(direct);
        Stalled stalled = new Stalled();
        engine.stream(Command.shell("echo $$; sleep 60 & yes").withTimeout(Duration.ofMillis(700)))
                .subscribe(stalled);
        await().atMost(WAIT).until(() -> stalled.error.get() != null);
        assertThat(stalled.error.get()).isInstanceOf(ProcessTimeoutException.class);
        OsProcesses.awaitNoLiveChildren();
    }

    @Test
    void closingTheEngineWhileStreamingKillsTheTreeAndFailsTheStream() {
        ProcessEngine engine = engine(true);
        long fds = descriptorsAfterWarmUp(engine);
        AtomicLong bytes = new AtomicLong();
        AtomicReference<Throwable> error = new AtomicReference<>();
        engine.stream(Command.shell("sleep 60 2>/dev/null & yes")).subscribe(o -> bytes.addAndGet(o.size()),
                error::set);
        await().atMost(WAIT).until(() -> bytes.get() > (8L << 20));
        engine.close();
        OsProcesses.assertNoLiveChildren("after close");
        await().atMost(WAIT).until(() -> error.get() != null);
        assertThat(error.get()).isInstanceOf(ProcessPoolClosedException.class);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(OsProcesses.openFileDescriptors())
                .as("open descriptors").isLessThanOrEqualTo(fds));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void cancelKillsABackgroundJobThatOutlivedItsShellAndHoldsStdout(boolean direct) {
        ProcessEngine engine = engine(direct);
        Stalled stalled = new Stalled();
        // the shell exits at once; its job keeps stdout (only stdout) open, outside the shell's tree once the shell
        // is gone: only the pipe it holds leads the kill to it
        engine.stream(Command.shell("sleep 60 2>/dev/null & echo $!")).subscribe(stalled);
        long job = pidOf(stalled);
        await().atMost(WAIT).until(() -> OsProcesses.state(job) == 'S');
        stalled.cancel();
        OsProcesses.awaitNoLiveChildren();
        await().atMost(WAIT).until(() -> OsProcesses.state(job) == '?' || OsProcesses.state(job) == 'Z');
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aBackgroundJobHoldingStdoutDelaysTheEndUntilItsOutputArrived(boolean direct) {
        StepVerifier.create(engine(direct).lines(Command.shell("(sleep 0.3; echo late) & echo early")))
                .expectNext("early", "late")
                .verifyComplete();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aMissingExecutableFailsToStartAsOnTheDefaultPath(boolean direct) {
        StepVerifier.create(engine(direct).stream(Command.of("/nonexistent/procflux-no-such-program")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessStartException.class)
                        .hasMessageContaining("/nonexistent/procflux-no-such-program"))
                .verify(WAIT);
    }

    /** Writes {@code argv[1]} MiB of zeros in 64 KiB writes, then reports its stdout pipe's capacity on stderr. */
    private static final String PIPE_REPORTER = "import fcntl, os, sys\n"
            + "block = bytes(65536)\n"
            + "for _ in range(16 * int(sys.argv[1])):\n"
            + "    rest = memoryview(block)\n"
            + "    while rest:\n"
            + "        rest = rest[os.write(1, rest):]\n"
            + "sys.stderr.write(str(fcntl.fcntl(1, 1032)))\n";

    @Test
    void aDirectStreamWhoseSubscriberKeepsDrainingGrowsItsPipeToOneMebibyteAndGetsEveryByte() {
        AtomicLong bytes = new AtomicLong();
        AtomicLong nonZero = new AtomicLong();
        StringBuilder err = new StringBuilder();
        List<ExitStatus> exits = new ArrayList<>();
        engine(true).stream(Command.of("python3", "-c", PIPE_REPORTER, "64")).doOnNext(o -> {
            switch (o.kind()) {
                case STDOUT -> {
                    for (byte b : o.bytes()) {
                        if (b != 0) {
                            nonZero.incrementAndGet();
                        }
                    }
                    bytes.addAndGet(o.size());
                }
                case STDERR -> err.append(o.text());
                default -> exits.add(o.exitStatus());
            }
        }).blockLast(WAIT);
        assertThat(bytes.get()).isEqualTo(64L << 20);
        assertThat(nonZero.get()).isZero();
        assertThat(exits).containsExactly(ExitStatus.exited(0));
        assertThat(err.toString()).as("the child's stdout pipe at its end").isEqualTo(Integer.toString(1 << 20));
    }

    /** @return the capacity of the stdout pipe the {@link #PIPE_REPORTER} child reported, after {@code mib} MiB */
    private static String reportedPipe(ProcessEngine engine, int mib) {
        AtomicLong bytes = new AtomicLong();
        StringBuilder err = new StringBuilder();
        engine.stream(Command.of("python3", "-c", PIPE_REPORTER, Integer.toString(mib))).doOnNext(o -> {
            switch (o.kind()) {
                case STDOUT -> bytes.addAndGet(o.size());
                case STDERR -> err.append(o.text());
                default -> assertThat(o.exitStatus()).isEqualTo(ExitStatus.exited(0));
            }
        }).blockLast(WAIT);
        assertThat(bytes.get()).isEqualTo((long) mib << 20);
        return err.toString();
    }

    @Test
    void aDirectStreamsPipeGrowsOnlyToTheFairPipeWhichShrinksToAPageBesideManyRunningStreams() {
        ProcessEngine engine = ProcessEngine.builder().directReads(true).maxConcurrency(32)
                .maxTotalBufferedBytes(1L << 20).killGracePeriod(Duration.ofMillis(500)).build();
        engines.add(engine);
        // alone on a 1 MiB budget the fair pipe is 256 KiB (reserve 336 KiB <= 512 KiB < 592 KiB for 512 KiB)
        assertThat(reportedPipe(engine, 16)).as("the pipe of a stream running alone")
                .isEqualTo(Integer.toString(256 << 10));
        // beside 23 stalled streams it is one page (24 x 12 KiB <= 512 KiB < 24 x 24 KiB)
        List<Stalled> stalled = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            Stalled s = new Stalled();
            engine.stream(Command.shell("echo $$; exec yes")).subscribe(s);
            stalled.add(s);
        }
        stalled.forEach(DirectReadsIT::pidOf);
        assertThat(engine.metrics().alive()).isEqualTo(23);
        assertThat(reportedPipe(engine, 16)).as("the pipe of a stream beside 23 running ones").isEqualTo("4096");
        stalled.forEach(BaseSubscriber::cancel);
        OsProcesses.awaitNoLiveChildren();
    }

    @Test
    void stalledDirectStreamsStartedOneByOneKeepTheDefaultPipe() {
        ProcessEngine engine = ProcessEngine.builder().directReads(true).maxConcurrency(64)
                .killGracePeriod(Duration.ofMillis(500)).build();
        engines.add(engine);
        List<Stalled> streams = new ArrayList<>();
        List<Long> pids = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Stalled s = new Stalled();
            engine.stream(Command.shell("echo $$; exec yes")).subscribe(s);
            streams.add(s);
            long pid = pidOf(s);
            awaitBlockedInWrite(pid); // its pipe is full: one stream at a time runs and fills it
            pids.add(pid);
        }
        for (long pid : pids) {
            assertThat(ProcFs.pipeSize(pid, 1)).as("stdout pipe of stalled pid %d", pid).isEqualTo(64 * 1024);
        }
        assertThat(engine.metrics().bufferedBytes()).isZero();
        streams.forEach(BaseSubscriber::cancel);
        OsProcesses.awaitNoLiveChildren();
    }

    @Test
    void pipeThroughCatRoundTripsTheInput() throws Exception {
        byte[] block = new byte[64 * 1024];
        new java.util.Random(7).nextBytes(block);
        MessageDigest in = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 512; i++) {
            in.update(block);
        }
        MessageDigest out = MessageDigest.getInstance("SHA-256");
        Long total = Flux.range(0, 512).map(i -> java.nio.ByteBuffer.wrap(block))
                .transform(engine(true).pipe(Command.of("cat")))
                .reduce(0L, (n, b) -> {
                    long r = b.remaining();
                    out.update(b);
                    return n + r;
                })
                .block(WAIT);
        assertThat(total).isEqualTo(512L * block.length);
        assertThat(out.digest()).isEqualTo(in.digest());
    }
}
