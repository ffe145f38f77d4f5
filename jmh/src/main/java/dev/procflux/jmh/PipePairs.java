package dev.procflux.jmh;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import reactor.core.publisher.Flux;

/**
 * {@link PipeBenchmark}'s two variants (1 GiB through {@code cat} in 64 KiB blocks: {@code engine.pipe(cat)}
 * against a JDK two-thread copy), paired the way {@link StreamingPairs} pairs its variants: alternating in one JVM,
 * the order swapping every round. Prints each variant's median MiB/s and the geometric mean of the per-round ratio
 * procflux ÷ JDK. Usage:
 * {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.procflux.jmh.PipePairs [rounds]};
 * round 0 is warm-up.
 */
public final class PipePairs {
    private static final int BLOCK = 64 * 1024;
    private static final long BYTES = 1L << 30;

    private PipePairs() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 11;
        byte[] bytes = new byte[BLOCK];
        ByteBuffer block = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        List<Double> jdk = new ArrayList<>();
        List<Double> procflux = new ArrayList<>();
        try (ProcessEngine engine = ProcessEngine.builder().build()) {
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < 2; i++) {
                    boolean jdkTurn = (i + round) % 2 == 0;
                    long start = System.nanoTime();
                    long n = jdkTurn ? jdkTwoThreads(bytes) : procflux(engine, block);
                    long nanos = System.nanoTime() - start;
                    if (n != BYTES) {
                        throw new IllegalStateException("expected " + BYTES + " bytes but counted " + n);
                    }
                    if (round > 0) {
                        (jdkTurn ? jdk : procflux).add((BYTES >> 20) / (nanos / 1e9));
                    }
                }
            }
        }
        double logs = 0;
        for (int i = 0; i < jdk.size(); i++) {
            logs += Math.log(procflux.get(i) / jdk.get(i));
        }
        System.out.printf(Locale.ROOT, "JDK two threads   median %7.0f MiB/s%n", median(jdk));
        System.out.printf(Locale.ROOT, "procflux pipe     median %7.0f MiB/s  ÷ JDK per round: geometric mean %.3f "
                + "over %d rounds%n", median(procflux), Math.exp(logs / jdk.size()), jdk.size());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static long procflux(ProcessEngine engine, ByteBuffer block) {
        Flux<ByteBuffer> input = Flux.range(0, (int) (BYTES / BLOCK)).map(i -> block.duplicate());
        Long n = input.transform(engine.pipe(Command.of("cat"))).reduce(0L, (s, b) -> s + b.remaining()).block();
        return n == null ? -1 : n;
    }

    private static long jdkTwoThreads(byte[] bytes) throws IOException, InterruptedException, ExecutionException {
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
}
