package dev.procflux.jmh;

import com.sun.management.OperatingSystemMXBean;
import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@link FifoReadPath} adds to a start: {@code /bin/true} started and reported exited, one at a time, by
 * procflux's {@code execute} (prompt exit detection), by {@code execute} through the shell trampoline alone
 * ({@code /bin/sh -c 'exec "$@"' sh /bin/true}), by {@code execute} through the whole FIFO trampoline (FIFO created,
 * opened and grown before, closed and removed after), and by the two raw NuProcess paths: {@code /bin/true} and the
 * FIFO read path itself (end-of-file and NuProcess's exit both seen), in its push mode and in its pull mode (the
 * delivery worker reads, resting 300 µs). NuProcess reports an exit that its stderr
 * hang-up beats to {@code waitpid} only at its next 250 ms poll, so the raw paths' medians and upper percentiles
 * carry that poll. The variants take turns in batches of {@code batch} starts, the order rotating every round;
 * round 0 is warm-up. Prints per variant the median and the 10th-90th percentile of the start-to-exit time, and the
 * JVM's CPU per start. Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * dev.procflux.jmh.ReadPathStartCost [rounds] [batch]}.
 */
public final class ReadPathStartCost {
    private static final List<String> TRUE = List.of("/bin/true");

    private ReadPathStartCost() {
    }

    /** One start to reported exit. */
    private interface Variant {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 11;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        Map<String, Variant> variants = new LinkedHashMap<>();
        List<String> shell = List.of("/bin/sh", "-c", "exec \"$@\"", "sh", "/bin/true");
        ProcessEngine engine = ProcessEngine.builder().build();
        try (engine; FifoReadPath fifo = new FifoReadPath(64 << 10, 1 << 20, 4L << 20, 1L << 20, Duration.ZERO);
                FifoReadPath pull = new FifoReadPath(64 << 10, 1 << 20,
                        new FifoReadPath.Pull(false, Duration.ZERO, Duration.ofNanos(300_000),
                                FifoReadPath.Copy.NEW_CHUNK, false))) {
            variants.put("procflux /bin/true", () -> engine.execute(Command.of(TRUE)).block());
            variants.put("procflux, sh exec", () -> engine.execute(Command.of(shell)).block());
            variants.put("procflux, FIFO trampoline", () -> {
                String name = fifo.newFifoName();
                int fd = FifoReadPath.createFifo(name);
                try {
                    engine.execute(Command.of(FifoReadPath.trampoline(name, TRUE))).block();
                }
                finally {
                    FifoReadPath.closeFifo(fd, name);
                }
            });
            variants.put("NuProcess /bin/true", () -> RawNuProcess.run(TRUE));
            variants.put("FIFO read path", () -> runTrue(fifo));
            variants.put("FIFO read path, pull", () -> runTrue(pull));
            List<String> names = new ArrayList<>(variants.keySet());
            Map<String, List<Long>> nanos = new LinkedHashMap<>();
            Map<String, List<Long>> cpu = new LinkedHashMap<>();
            names.forEach(n -> {
                nanos.put(n, new ArrayList<>());
                cpu.put(n, new ArrayList<>());
            });
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            String loadBefore = StreamingCost.loadAverage();
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get((i + round) % names.size());
                    long cpu0 = os.getProcessCpuTime();
                    for (int k = 0; k < batch; k++) {
                        long start = System.nanoTime();
                        variants.get(name).run();
                        if (round > 0) {
                            nanos.get(name).add(System.nanoTime() - start);
                        }
                    }
                    if (round > 0) {
                        cpu.get(name).add((os.getProcessCpuTime() - cpu0) / batch);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%-26s %10s %14s %17s%n", "start to exit", "median µs", "p10-p90 µs",
                    "JVM CPU µs/start");
            for (String name : names) {
                List<Long> t = nanos.get(name);
                t.sort(null);
                List<Long> c = cpu.get(name);
                c.sort(null);
                System.out.printf(Locale.ROOT, "%-26s %10.0f %6.0f-%-7.0f %17.0f%n", name, t.get(t.size() / 2) / 1e3,
                        t.get(t.size() / 10) / 1e3, t.get(t.size() * 9 / 10) / 1e3, c.get(c.size() / 2) / 1e3);
            }
            System.out.printf(Locale.ROOT, "%d rounds of %d starts per variant, load average %s before, %s after%n",
                    rounds - 1, batch, loadBefore, StreamingCost.loadAverage());
        }
    }

    private static void runTrue(FifoReadPath path) throws Exception {
        long n = path.run(TRUE, chunk -> { }).get(60, TimeUnit.SECONDS);
        if (n != 0) {
            throw new IllegalStateException("/bin/true wrote " + n + " bytes");
        }
    }
}
