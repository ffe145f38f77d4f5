package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

@EnabledOnOs(OS.LINUX)
class StreamIT {
    private final ProcessEngine engine = ProcessEngine.builder().maxConcurrency(4)
            .killGracePeriod(Duration.ofMillis(500)).build();
    // the tests that take a boolean run on both read paths
    private final ReadPaths paths = new ReadPaths(engine);

    @AfterEach
    void tearDown() {
        paths.closeAndAssertClean();
    }

    @Test
    void tenMegabytesOfRandomStdinComeBackThroughCatByteIdentical() throws Exception {
        byte[] payload = new byte[10 * 1024 * 1024];
        new Random(42).nextBytes(payload);
        ProcessResult r = engine.execute(Command.of("cat").withStdin(payload)).block(Duration.ofSeconds(30));
        assertThat(r.isSuccess()).isTrue();
        assertThat(r.stdoutSize()).isEqualTo(payload.length);
        assertThat(sha256(r.stdout())).isEqualTo(sha256(payload));
    }

    @Test
    void aPublishersStdinGoesThroughA256KiBPipeWithAtMostEightBuffersRequestedAhead() {
        // the child reads one block (so the pump has started), reports its stdin pipe's capacity (F_GETPIPE_SZ),
        // then counts the rest
        String child = "import fcntl, sys\n"
                + "n = len(sys.stdin.buffer.read(65536))\n"
                + "size = fcntl.fcntl(0, 1032)\n"
                + "while True:\n"
                + "    b = sys.stdin.buffer.read(65536)\n"
                + "    if not b:\n"
                + "        break\n"
                + "    n += len(b)\n"
                + "print(size, n)\n";
        ByteBuffer block = ByteBuffer.wrap(new byte[65536]).asReadOnlyBuffer();
        AtomicLong requested = new AtomicLong();
        AtomicLong emitted = new AtomicLong();
        AtomicLong mostAhead = new AtomicLong();
        Flux<ByteBuffer> input = Flux.range(0, 256).map(i -> block.duplicate())
                .doOnRequest(n -> mostAhead.accumulateAndGet(requested.addAndGet(n) - emitted.get(), Math::max))
                .doOnNext(b -> emitted.incrementAndGet());
        ProcessResult r = engine.execute(Command.of("python3", "-c", child).withStdin(input))
                .block(Duration.ofSeconds(30));
        assertThat(r.isSuccess()).isTrue();
        assertThat(r.stdoutText().trim()).isEqualTo((256 * 1024) + " " + (256 * 65536));
        assertThat(mostAhead.get()).as("buffers requested ahead of the pipe").isBetween(1L, 8L);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aChildThatGrowsItsPipesLosesNoOutputWhenItExits(boolean direct) {
        // a pipe still holding more than one 64 KiB read at end-of-file must be read to the end, on both streams:
        // the child grows both pipes to 1 MiB and keeps them full (head writes faster than they are read)
        long size = 32L * 1024 * 1024;
        String child = "import fcntl, os\n"
                + "for fd in (1, 2):\n"
                + "    fcntl.fcntl(fd, 1031, 1 << 20)\n" // F_SETPIPE_SZ, up to /proc/sys/fs/pipe-max-size
                + "os.execvp('sh', ['sh', '-c', 'head -c " + size + " /dev/zero; head -c " + size
                + " /dev/zero >&2'])\n";
        for (int round = 0; round < 3; round++) {
            long[] bytes = new long[3];
            paths.engine(direct).stream(Command.of("python3", "-c", child)).doOnNext(o -> {
                bytes[o.kind().ordinal()] += o.size();
                if (o.isExit()) {
                    bytes[2] = o.exitStatus().code() + 1;
                }
            }).blockLast(Duration.ofSeconds(60));
            assertThat(bytes[2]).as("exit 0, round " + round).isEqualTo(1);
            assertThat(bytes[0]).as("stdout bytes, round " + round).isEqualTo(size);
            assertThat(bytes[1]).as("stderr bytes, round " + round).isEqualTo(size);
        }
    }

    @Test
    void aFastStreamTakesWhatThePipeHoldsInChunksOfAtMost256KiBWithEveryByteInOrder() throws Exception {
        // 64 MiB of distinct 64 KiB blocks, written with retries of short writes (a pause's SIGSTOP shortens a
        // blocked write); the child reports the SHA-256 of what it wrote on stderr
        String child = "import hashlib, os, sys\n"
                + "digest = hashlib.sha256()\n"
                + "for i in range(1024):\n"
                + "    block = hashlib.sha256(str(i).encode()).digest() * 2048\n"
                + "    digest.update(block)\n"
                + "    rest = memoryview(block)\n"
                + "    while rest:\n"
                + "        rest = rest[os.write(1, rest):]\n"
                + "sys.stderr.write(digest.hexdigest())\n";
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        StringBuilder written = new StringBuilder();
        int[] largest = {0};
        long[] bytes = {0};
        engine.stream(Command.of("python3", "-c", child)).doOnNext(o -> {
            if (o.isStdout()) {
                received.update(o.asByteBuffer());
                bytes[0] += o.size();
                largest[0] = Math.max(largest[0], o.size());
            }
            else if (o.isStderr()) {
                written.append(o.text());
            }
        }).blockLast(Duration.ofSeconds(60));
        assertThat(bytes[0]).isEqualTo(64L << 20);
        assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(written.toString());
        // NuProcess reads at most 64 KiB per wake-up; the stream reads on while its grown pipe holds more
        assertThat(largest[0]).as("the largest chunk").isGreaterThan(64 * 1024).isLessThanOrEqualTo(256 * 1024);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void streamTagsStdoutAndStderrAndEndsWithTheExit(boolean direct) {
        List<ProcessOutput> out = paths.engine(direct).stream(Command.shell("printf out; printf err >&2; exit 4"))
                .collectList().block(Duration.ofSeconds(10));
        assertThat(out).isNotEmpty();
        ProcessOutput last = out.get(out.size() - 1);
        assertThat(last.isExit()).isTrue();
        assertThat(last.exitStatus().code()).isEqualTo(4);
        StringBuilder stdout = new StringBuilder();
        StringBuilder stderr = new StringBuilder();
        for (ProcessOutput o : out.subList(0, out.size() - 1)) {
            (o.isStdout() ? stdout : stderr).append(o.text());
        }
        assertThat(stdout).hasToString("out");
        assertThat(stderr).hasToString("err");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void streamDeliversOnTheDeliverySchedulerNotTheIoThread(boolean direct) {
        List<String> threads = new ArrayList<>();
        paths.engine(direct).stream(Command.of("echo", "x")).doOnNext(o -> threads.add(Thread.currentThread().getName()))
                .blockLast(Duration.ofSeconds(10));
        assertThat(threads).isNotEmpty().allMatch(t -> t.startsWith("parallel-"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void streamReportsThePidOfTheRunningProcessBeforeItsFirstElement(boolean direct) {
        List<String> seen = new CopyOnWriteArrayList<>();
        paths.engine(direct).stream(Command.shell("echo $$; exit 5"), pid -> seen.add("start " + pid))
                .doOnNext(o -> seen.add(o.isExit() ? "exit " + o.exitStatus().code() : o.text()))
                .blockLast(Duration.ofSeconds(10));
        assertThat(seen).hasSize(3);
        // the shell prints its own pid: the one reported at the start
        assertThat(seen.get(0)).isEqualTo("start " + seen.get(1).trim());
        assertThat(seen.get(2)).isEqualTo("exit 5");
    }

    @Test
    void streamReportsNoStartForAProgramThatCannotStart() {
        List<Long> starts = new CopyOnWriteArrayList<>();
        Command inMissingDirectory = Command.of("echo", "hi").withDirectory(Path.of("/nonexistent/procflux-dir"));
        StepVerifier.create(engine.stream(inMissingDirectory, starts::add))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ProcessStartException.class).hasMessage("cannot start 'echo hi': "
                            + "working directory /nonexistent/procflux-dir does not exist");
                    assertThat(((ProcessStartException) e).reason())
                            .isEqualTo(ProcessStartException.Reason.DIRECTORY_NOT_FOUND);
                })
                .verify(Duration.ofSeconds(10));
        assertThat(starts).isEmpty();
        assertThat(engine.metrics().startFailures()).isEqualTo(1);
    }

    @Test
    void streamCountsEveryByteOfALargeOutput() {
        long total = engine.stream(Command.of("head", "-c", "50000000", "/dev/zero"))
                .filter(ProcessOutput::isStdout).map(o -> (long) o.size())
                .reduce(0L, Long::sum).block(Duration.ofSeconds(30));
        assertThat(total).isEqualTo(50_000_000L);
    }

    @Test
    void aSubscriberThatLagsBeyondTheBufferLimitGetsAnOverflowErrorAndTheTreeIsKilled() {
        ProcessEngine small = ProcessEngine.builder().backpressure(BackpressurePolicy.FAIL).maxBufferedBytes(256 * 1024)
                .killGracePeriod(Duration.ofMillis(200)).build();
        try {
            StepVerifier.create(small.stream(Command.of("head", "-c", "100000000", "/dev/zero")), 0)
                    .expectSubscription()
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessOutputOverflowException.class)
                            .hasMessageContaining("maxBufferedBytes=262144")
                            .hasMessageContaining("head -c 100000000 /dev/zero"))
                    .verify(Duration.ofSeconds(20));
        }
        finally {
            small.close();
        }
    }

    @Test
    void linesSplitsOnNewlinesAndKeepsAFinalLineWithoutNewline() {
        StepVerifier.create(engine.lines(Command.of("printf", "a\\nb\\r\\n\\nc")))
                .expectNext("a", "b", "", "c")
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void linesDecodesMultiByteCharacters() {
        StepVerifier.create(engine.lines(Command.of("printf", "h\u00e9llo \u4e16\u754c \ud83d\ude00\\n")))
                .expectNext("h\u00e9llo \u4e16\u754c \ud83d\ude00")
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void linesFailsWithTheExitCodeAndStderrTailAfterEmittingEveryLine(boolean direct) {
        StepVerifier.create(paths.engine(direct).lines(Command.shell("echo one; echo two; echo 'bad thing' >&2; exit 3")))
                .expectNext("one", "two")
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ProcessExitException.class)
                            .hasMessageContaining("failed with exit 3")
                            .hasMessageContaining("bad thing");
                    assertThat(((ProcessExitException) e).exitCode()).isEqualTo(3);
                })
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aLineLongerThanTheLimitFailsClearly() {
        StepVerifier.create(engine.lines(Command.of("head", "-c", "100000", "/dev/zero").withMaxLineLength(1000)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProcessOutputOverflowException.class)
                        .hasMessageContaining("maxLineLength=1000"))
                .verify(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void linesHonoursDemand(boolean direct) {
        StepVerifier.create(paths.engine(direct).lines(Command.of("seq", "1", "1000")), 3)
                .expectNext("1", "2", "3")
                .thenRequest(Long.MAX_VALUE)
                .expectNextCount(997)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void manyStreamsComposeInAFluxPipelineWithBoundedConcurrency() {
        List<String> lines = Flux.range(1, 50)
                .flatMap(i -> engine.lines(Command.of("echo", "job " + i)), 8)
                .publishOn(Schedulers.boundedElastic())
                .collectList().block(Duration.ofSeconds(30));
        assertThat(lines).hasSize(50).contains("job 1", "job 50");
        assertThat(engine.metrics().succeeded()).isEqualTo(50);
    }

    static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
