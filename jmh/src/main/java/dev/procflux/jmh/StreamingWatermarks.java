package dev.procflux.jmh;

import dev.procflux.BackpressurePolicy;
import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the watermarks cost a fast subscriber: {@code engine.stream(head -c 256M /dev/zero)} summed as fast as it
 * arrives, on engines that differ only in their watermarks (and one that never pauses), interleaved in one JVM so
 * that every engine sees the same load. Not a JMH benchmark: it sweeps a setting the JMH benchmark fixes. Usage:
 * {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.procflux.jmh.StreamingWatermarks [rounds]};
 * round 0 is warm-up, every round streams 4 × 256 MiB per engine.
 */
public final class StreamingWatermarks {
    private static final long BYTES = 256L << 20;
    private static final int STREAMS_PER_ROUND = 4;

    private StreamingWatermarks() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        Command head = Command.of(List.of("head", "-c", Long.toString(BYTES), "/dev/zero"));
        Map<String, ProcessEngine> engines = new LinkedHashMap<>();
        engines.put("256K/64K (default)", ProcessEngine.builder().build());
        engines.put("1M/256K", ProcessEngine.builder().watermarks(1L << 20, 256L << 10).build());
        engines.put("2M/512K", ProcessEngine.builder().watermarks(2L << 20, 512L << 10).build());
        engines.put("4M/1M", ProcessEngine.builder().watermarks(4L << 20, 1L << 20).build());
        engines.put("FAIL, 1 GiB", ProcessEngine.builder().backpressure(BackpressurePolicy.FAIL)
                .maxBufferedBytes(1L << 30).build());
        // per engine: nanos, streams, pauses over the measured rounds
        Map<String, long[]> totals = new LinkedHashMap<>();
        engines.keySet().forEach(k -> totals.put(k, new long[3]));
        try {
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, ProcessEngine> e : engines.entrySet()) {
                    ProcessEngine engine = e.getValue();
                    long pauses = engine.metrics().pauses();
                    long start = System.nanoTime();
                    for (int i = 0; i < STREAMS_PER_ROUND; i++) {
                        Long n = engine.stream(head).reduce(0L, (s, o) -> s + o.size()).block();
                        if (n == null || n != BYTES) {
                            throw new IllegalStateException("expected " + BYTES + " bytes but counted " + n);
                        }
                    }
                    if (round > 0) {
                        long[] t = totals.get(e.getKey());
                        t[0] += System.nanoTime() - start;
                        t[1] += STREAMS_PER_ROUND;
                        t[2] += engine.metrics().pauses() - pauses;
                    }
                }
            }
            totals.forEach((name, t) -> System.out.printf(Locale.ROOT,
                    "%-20s %7.0f MiB/s  pauses per 256 MiB %6.1f  peak queued %d bytes%n", name,
                    t[1] * (BYTES >> 20) / (t[0] / 1e9), t[2] / (double) t[1],
                    engines.get(name).metrics().peakBufferedBytes()));
        }
        finally {
            engines.values().forEach(ProcessEngine::close);
        }
    }
}
