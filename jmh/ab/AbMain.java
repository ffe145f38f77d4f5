import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Pairs builds of procflux in one JVM: each build's classes (a copy of {@code target/classes}) get a class loader
 * of their own over the shared dependencies, and the builds and the JDK loop take turns, the order rotating every
 * round, so that neighbouring runs see about the same load. Prints per variant the median MiB/s, the geometric mean
 * of its per-round ratio to the JDK loop, and the JVM's median CPU time per 256 MiB. Run through {@code jmh/ab.sh}.
 */
public final class AbMain {
    private static final long BYTES = 256L << 20;

    private AbMain() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        String variant = args[1];
        URL runner = Path.of(args[2]).toUri().toURL();
        List<String> names = new ArrayList<>(List.of("jdk"));
        Map<String, ToLongFunction<String>> builds = new LinkedHashMap<>();
        for (int i = 3; i < args.length; i++) {
            URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(args[i]).toUri().toURL(), runner},
                    AbMain.class.getClassLoader());
            @SuppressWarnings("unchecked")
            ToLongFunction<String> build = (ToLongFunction<String>) loader.loadClass("AbRunner")
                    .getConstructor().newInstance();
            builds.put(args[i], build);
            names.add(args[i]);
        }
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        names.forEach(n -> {
            rates.put(n, new ArrayList<>());
            cpu.put(n, new ArrayList<>());
        });
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get((i + round) % names.size());
                long cpu0 = os.getProcessCpuTime();
                long start = System.nanoTime();
                long n = name.equals("jdk") ? (variant.equals("pipe") ? jdkPipe() : jdkLoop())
                        : builds.get(name).applyAsLong(variant);
                long nanos = System.nanoTime() - start;
                long cpuNanos = os.getProcessCpuTime() - cpu0;
                if (n != BYTES) {
                    throw new IllegalStateException(name + ": expected " + BYTES + " bytes but counted " + n);
                }
                if (round > 0) {
                    rates.get(name).add((BYTES >> 20) / (nanos / 1e9));
                    cpu.get(name).add(cpuNanos / 1e6);
                }
            }
        }
        List<Double> jdk = rates.get("jdk");
        for (String name : names) {
            List<Double> r = rates.get(name);
            double logs = 0;
            for (int i = 0; i < r.size(); i++) {
                logs += Math.log(r.get(i) / jdk.get(i));
            }
            System.out.printf(Locale.ROOT, "%-24s median %6.0f MiB/s  ÷ jdk per round: geometric mean %.3f  "
                    + "JVM CPU per 256 MiB: median %4.0f ms  (%d rounds)%n", name, median(r),
                    Math.exp(logs / r.size()), median(cpu.get(name)), r.size());
        }
        for (ToLongFunction<String> build : builds.values()) {
            ((AutoCloseable) build).close();
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static long jdkLoop() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("head", "-c", Long.toString(BYTES), "/dev/zero")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        return readAll(p);
    }

    private static long jdkPipe() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("cat").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] block = new byte[65536];
        Thread writer = new Thread(() -> {
            try (OutputStream out = p.getOutputStream()) {
                for (long sent = 0; sent < BYTES; sent += block.length) {
                    out.write(block);
                }
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        writer.start();
        long n = readAll(p);
        writer.join();
        return n;
    }

    private static long readAll(Process p) throws IOException, InterruptedException {
        long count = 0;
        byte[] buf = new byte[65536];
        try (InputStream in = p.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                count += n;
            }
        }
        p.waitFor();
        return count;
    }
}
