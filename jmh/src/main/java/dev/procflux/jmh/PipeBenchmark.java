package dev.procflux.jmh;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
 * 1 GiB through {@code cat}, stdin to stdout, in 64 KiB blocks. One invocation moves {@value #MIB} MiB and is
 * declared as {@value #MIB} operations, so the score in ops/s is <b>MiB/s</b>; both variants check the byte count.
 *
 * <ul>
 *   <li>{@code procflux}: {@code Flux.range(…).map(i -> block)} through {@code engine.pipe(cat)} with the default
 *       options, the output counted in a {@code reduce};
 *   <li>{@code jdkTwoThreads}: {@code ProcessBuilder}, one thread writing the blocks to {@code getOutputStream()},
 *       the calling thread reading {@code getInputStream()} into a 64 KiB array.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@OperationsPerInvocation(PipeBenchmark.MIB)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PipeBenchmark {
    static final int MIB = 1024;
    static final long BYTES = MIB * 1024L * 1024L;
    static final int BLOCK = 64 * 1024;

    private ProcessEngine engine;
    private ByteBuffer block;
    private byte[] bytes;

    @Setup(Level.Trial)
    public void setUp() {
        engine = ProcessEngine.builder().build();
        bytes = new byte[BLOCK];
        block = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }

    @Benchmark
    public long procflux() {
        return check(throughPipe(engine, block));
    }

    @Benchmark
    public long jdkTwoThreads() throws InterruptedException, ExecutionException {
        try {
            return check(throughTwoThreads(bytes));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the bytes {@code cat} gave back for {@link #BYTES} bytes of {@code block} through {@code engine.pipe} */
    static long throughPipe(ProcessEngine engine, ByteBuffer block) {
        Flux<ByteBuffer> input = Flux.range(0, (int) (BYTES / BLOCK)).map(i -> block.duplicate());
        Long n = input.transform(engine.pipe(Command.of("cat"))).reduce(0L, (s, b) -> s + b.remaining()).block();
        return n == null ? -1 : n;
    }

    /**
     * @return the bytes {@code cat} gave back for {@link #BYTES} bytes of {@code bytes}, written by a second thread
     *     to a {@code ProcessBuilder} process while this thread reads
     */
    static long throughTwoThreads(byte[] bytes) throws IOException, InterruptedException, ExecutionException {
        Process p = new ProcessBuilder(List.of("cat")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream out = p.getOutputStream()) {
                for (long sent = 0; sent < BYTES; sent += BLOCK) {
                    out.write(bytes);
                }
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        long count = 0;
        byte[] buf = new byte[BLOCK];
        try (InputStream in = p.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                count += n;
            }
        }
        writer.get();
        p.waitFor();
        return count;
    }

    /** @return {@code count}; fails unless it is {@link #BYTES} */
    static long check(long count) {
        if (count != BYTES) {
            throw new IllegalStateException("expected " + BYTES + " bytes but counted " + count);
        }
        return count;
    }
}
