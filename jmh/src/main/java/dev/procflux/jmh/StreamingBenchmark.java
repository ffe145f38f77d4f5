package dev.procflux.jmh;

import com.zaxxer.nuprocess.NuAbstractProcessHandler;
import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessBuilder;
import dev.procflux.BackpressurePolicy;
import dev.procflux.Command;
import dev.procflux.EngineMetrics;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import reactor.core.publisher.Flux;

/**
 * Stdout throughput of {@code head -c 256M /dev/zero} read to the end by a consumer that only counts the
 * bytes. One invocation streams {@value #MIB} MiB and is declared as {@value #MIB} operations, so the score in
 * ops/s is <b>MiB/s</b>. Every variant checks that it saw exactly {@value #BYTES} bytes.
 *
 * <ul>
 *   <li>{@code rawNuProcess}: counts {@code buffer.remaining()} in {@code onStdout} and ends at stdout EOF (not at
 *       {@code onExit}, which raw NuProcess reports up to 250 ms late when its loop is idle);
 *   <li>{@code processBuilder}: {@code InputStream.read} into a 64 KiB array on the calling thread, then
 *       {@code waitFor};
 *   <li>{@code procflux}: {@code engine.stream(cmd)} with default options (backpressure {@code PAUSE}, high/low
 *       water 2 MiB / 512 KiB), an unbounded subscriber summing {@link ProcessOutput#size()};
 *   <li>{@code procfluxNoPause}: the same with {@code BackpressurePolicy.FAIL} and {@code maxBufferedBytes} 1 GiB,
 *       so the process is never paused: the difference to {@code procflux} is what pause/resume costs;
 *   <li>{@code procfluxWideMarks}: {@code PAUSE} with watermarks 4 MiB / 1 MiB instead of the default: how the
 *       pause count, and so the cost, falls as the slack grows;
 *   <li>{@code procfluxPipeCat}: {@code Flux<ByteBuffer>} of 64 KiB buffers through {@code engine.pipe(cat)},
 *       counting the bytes that come back (informative: it measures stdin and stdout together).
 * </ul>
 *
 * <p>The pauses a procflux engine made ({@code engine.metrics().pauses()}) are printed per iteration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@OperationsPerInvocation(StreamingBenchmark.MIB)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class StreamingBenchmark {
    static final int MIB = 256;
    static final long BYTES = MIB * 1024L * 1024L;
    static final List<String> HEAD = List.of("head", "-c", Long.toString(BYTES), "/dev/zero");
    private static final int BUFFER = 64 * 1024;

    private ProcessEngine engine;
    private ProcessEngine noPauseEngine;
    private ProcessEngine wideMarksEngine;
    private Command head;
    private Command cat;
    private ByteBuffer block;
    // per-iteration bookkeeping for the printed pause counts
    private long pausesAtStart;
    private long noPausePausesAtStart;
    private long wideMarksPausesAtStart;
    private final AtomicLong procfluxStreams = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() {
        engine = ProcessEngine.builder().build();
        noPauseEngine = ProcessEngine.builder().backpressure(BackpressurePolicy.FAIL)
                .maxBufferedBytes(1024L * 1024 * 1024).build();
        wideMarksEngine = ProcessEngine.builder().watermarks(4L * 1024 * 1024, 1024L * 1024).build();
        head = Command.of(HEAD);
        cat = Command.of("cat");
        block = ByteBuffer.allocate(BUFFER).asReadOnlyBuffer();
    }

    @Setup(Level.Iteration)
    public void markIteration() {
        pausesAtStart = engine.metrics().pauses();
        noPausePausesAtStart = noPauseEngine.metrics().pauses();
        wideMarksPausesAtStart = wideMarksEngine.metrics().pauses();
        procfluxStreams.set(0);
    }

    @TearDown(Level.Iteration)
    public void printPauses() {
        EngineMetrics m = engine.metrics();
        EngineMetrics n = noPauseEngine.metrics();
        EngineMetrics w = wideMarksEngine.metrics();
        long streams = procfluxStreams.get();
        if (streams > 0) {
            // only one of the engines ran in this iteration; each benchmark method uses its own
            long pauses = m.pauses() - pausesAtStart + n.pauses() - noPausePausesAtStart + w.pauses()
                    - wideMarksPausesAtStart;
            System.out.printf(Locale.ROOT, "%n[procflux streams=%d pauses=%d (%.1f per %d MiB) peakBuffered: "
                    + "default=%d FAIL=%d wideMarks=%d]%n", streams, pauses, pauses / (double) streams, MIB,
                    m.peakBufferedBytes(), n.peakBufferedBytes(), w.peakBufferedBytes());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        noPauseEngine.close();
        wideMarksEngine.close();
    }

    @Benchmark
    public long rawNuProcess() throws InterruptedException {
        CountDownLatch eof = new CountDownLatch(1);
        // written only on the NuProcess I/O thread; the latch publishes it
        long[] count = new long[1];
        NuProcessBuilder b = new NuProcessBuilder(HEAD);
        b.setProcessListener(new NuAbstractProcessHandler() {
            @Override
            public void onStart(NuProcess nuProcess) {
                nuProcess.closeStdin(true);
            }

            @Override
            public void onStdout(ByteBuffer buffer, boolean closed) {
                count[0] += buffer.remaining();
                buffer.position(buffer.limit());
                if (closed) {
                    eof.countDown();
                }
            }
        });
        if (b.start() == null) {
            throw new IllegalStateException("NuProcess could not start " + HEAD);
        }
        if (!eof.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no stdout EOF from " + HEAD + " within 60s");
        }
        return check(count[0]);
    }

    @Benchmark
    public long processBuilder() throws InterruptedException {
        long count = 0;
        try {
            Process p = new ProcessBuilder(HEAD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            byte[] buf = new byte[BUFFER];
            try (InputStream in = p.getInputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    count += n;
                }
            }
            p.waitFor();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return check(count);
    }

    @Benchmark
    public long procflux() {
        procfluxStreams.incrementAndGet();
        return check(sum(engine.stream(head)));
    }

    @Benchmark
    public long procfluxNoPause() {
        procfluxStreams.incrementAndGet();
        return check(sum(noPauseEngine.stream(head)));
    }

    @Benchmark
    public long procfluxWideMarks() {
        procfluxStreams.incrementAndGet();
        return check(sum(wideMarksEngine.stream(head)));
    }

    @Benchmark
    public long procfluxPipeCat() {
        Flux<ByteBuffer> input = Flux.range(0, (int) (BYTES / BUFFER)).map(i -> block.duplicate());
        Long n = input.transform(engine.pipe(cat)).reduce(0L, (s, b) -> s + b.remaining()).block();
        return check(n == null ? -1 : n);
    }

    private static long sum(Flux<ProcessOutput> output) {
        Long n = output.reduce(0L, (s, o) -> s + o.size()).block();
        return n == null ? -1 : n;
    }

    private static long check(long count) {
        if (count != BYTES) {
            throw new IllegalStateException("expected " + BYTES + " bytes but counted " + count);
        }
        return count;
    }
}
