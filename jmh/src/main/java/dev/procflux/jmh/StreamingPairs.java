package dev.procflux.jmh;

import dev.procflux.BackpressurePolicy;
import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Paired at the finest grain a loaded machine allows: {@code head -c 256M /dev/zero} read to the end by each variant
 * in turn, the order rotating every round, in one JVM, so that neighbouring runs see about the same load. Prints
 * each variant's median MiB/s and, per variant, the geometric mean of its per-round ratio to the first one. Not a
 * JMH benchmark (JMH forks are minutes apart under changing load). Usage:
 * {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.procflux.jmh.StreamingPairs [rounds]};
 * round 0 is warm-up.
 */
public final class StreamingPairs {
    private static final long BYTES = 256L << 20;

    private StreamingPairs() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        Command head = Command.of(StreamingBenchmark.HEAD);
        ProcessEngine engine = ProcessEngine.builder().build();
        ProcessEngine engine2m = ProcessEngine.builder().watermarks(2L << 20, 512L << 10).build();
        ProcessEngine noPause = ProcessEngine.builder().backpressure(BackpressurePolicy.FAIL)
                .maxBufferedBytes(1L << 30).build();
        Map<String, LongSupplier> variants = new LinkedHashMap<>();
        variants.put("JDK InputStream loop", StreamingPairs::jdkLoop);
        variants.put("procflux default", () -> engine.stream(head).reduce(0L, (s, o) -> s + o.size()).block());
        variants.put("procflux 2M/512K", () -> engine2m.stream(head).reduce(0L, (s, o) -> s + o.size()).block());
        variants.put("procflux FAIL", () -> noPause.stream(head).reduce(0L, (s, o) -> s + o.size()).block());
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        variants.keySet().forEach(k -> rates.put(k, new ArrayList<>()));
        List<String> names = new ArrayList<>(variants.keySet());
        try {
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get((i + round) % names.size());
                    long start = System.nanoTime();
                    long n = variants.get(name).getAsLong();
                    long nanos = System.nanoTime() - start;
                    if (n != BYTES) {
                        throw new IllegalStateException(name + ": expected " + BYTES + " bytes but counted " + n);
                    }
                    if (round > 0) {
                        rates.get(name).add((BYTES >> 20) / (nanos / 1e9));
                    }
                }
            }
            List<Double> reference = rates.get(names.get(0));
            rates.forEach((name, r) -> {
                double logs = 0;
                for (int i = 0; i < r.size(); i++) {
                    logs += Math.log(r.get(i) / reference.get(i));
                }
                List<Double> sorted = new ArrayList<>(r);
                sorted.sort(null);
                System.out.printf(Locale.ROOT, "%-24s median %7.0f MiB/s  ÷ %s per round: geometric mean %.3f "
                        + "over %d rounds%n", name, sorted.get(sorted.size() / 2), names.get(0),
                        Math.exp(logs / r.size()), r.size());
            });
        }
        finally {
            engine.close();
            engine2m.close();
            noPause.close();
        }
    }

    /** @return the bytes of {@code head -c 256M /dev/zero} read with a plain JDK {@code InputStream} loop */
    static long jdkLoop() {
        long count = 0;
        try {
            Process p = new ProcessBuilder(StreamingBenchmark.HEAD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.getOutputStream().close();
            byte[] buf = new byte[64 * 1024];
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
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return count;
    }
}
