package dev.procflux.jmh;

import dev.procflux.ProcessEngine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@link PipeBenchmark}'s two variants (1 GiB through {@code cat} in 64 KiB blocks: {@code engine.pipe(cat)}
 * against a JDK two-thread copy), paired the way {@link StreamingPairs} pairs its variants: alternating in one JVM,
 * the order swapping every round. Prints each variant's median MiB/s and the geometric mean of the per-round ratio
 * procflux ÷ JDK. Usage:
 * {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.procflux.jmh.PipePairs [rounds [direct]]};
 * round 0 is warm-up; {@code direct} runs {@code pipe} on an engine with {@code directReads(true)}.
 */
public final class PipePairs {
    private PipePairs() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 11;
        byte[] bytes = new byte[PipeBenchmark.BLOCK];
        ByteBuffer block = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        List<Double> jdk = new ArrayList<>();
        List<Double> procflux = new ArrayList<>();
        boolean direct = args.length > 1 && args[1].equals("direct");
        try (ProcessEngine engine = ProcessEngine.builder().directReads(direct).build()) {
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < 2; i++) {
                    boolean jdkTurn = (i + round) % 2 == 0;
                    long start = System.nanoTime();
                    PipeBenchmark.check(jdkTurn ? PipeBenchmark.throughTwoThreads(bytes)
                            : PipeBenchmark.throughPipe(engine, block));
                    long nanos = System.nanoTime() - start;
                    if (round > 0) {
                        (jdkTurn ? jdk : procflux).add((PipeBenchmark.BYTES >> 20) / (nanos / 1e9));
                    }
                }
            }
        }
        double logs = 0;
        for (int i = 0; i < jdk.size(); i++) {
            logs += Math.log(procflux.get(i) / jdk.get(i));
        }
        System.out.printf(Locale.ROOT, "JDK two threads   median %7.0f MiB/s%n", median(jdk));
        System.out.printf(Locale.ROOT, (direct ? "procflux direct   " : "procflux pipe     ") + "median %7.0f MiB/s  ÷ JDK per round: geometric mean %.3f "
                + "over %d rounds%n", median(procflux), Math.exp(logs / jdk.size()), jdk.size());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
