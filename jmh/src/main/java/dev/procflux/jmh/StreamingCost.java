package dev.procflux.jmh;

import com.sun.management.OperatingSystemMXBean;
import com.zaxxer.nuprocess.NuAbstractProcessHandler;
import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessBuilder;
import dev.procflux.BackpressurePolicy;
import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import dev.procflux.jmh.FifoReadPath.Copy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Where the CPU of reading {@code head -c 256M /dev/zero} to its end goes, per variant and per thread: the JDK
 * {@code InputStream} loop, raw NuProcess (a handler that only counts, and one that copies every read into a new
 * array), procflux's {@code stream} under the default options, with {@code directReads(true)} (the delivery drain
 * reads stdout itself) and under {@code BackpressurePolicy.FAIL}, and the
 * prototype {@link FifoReadPath} (reads of 64 KiB or 256 KiB, up to 1 MiB per wake-up; and 64 KiB reads with a 100 µs
 * or 300 µs rest after a read that emptied the FIFO), and the prototype's pull mode, where the delivery worker reads
 * (64 KiB reads, up to 1 MiB per turn): re-armed in epoll once a read finds the FIFO empty, or once a read comes back
 * short, or after 20 µs of re-reading an empty FIFO, the first and the last also with reads that fill one 64 KiB chunk
 * before it is delivered, the last also with 32 KiB and 16 KiB chunks (reads of at most that size); resting 50, 100 or
 * 300 µs after a turn that read and emptied it; resting 50 or 100 µs after a short read; and resting 300 µs with each
 * read handed over as {@code Arrays.copyOf} of one reused array, and as the two upper bounds that do not hand over
 * owned bytes: one reused array, and no copy at all. The variants take turns in one JVM, the order rotating every
 * round; round 0 is warm-up.
 *
 * <p>Per variant it prints the median MiB/s, the geometric mean of the per-round ratio to the JDK loop and the range
 * of those ratios, and the median CPU time per 256 MiB of the whole JVM and of its threads by role, read from
 * {@code /proc/self/task/TID/schedstat} (Linux): the NuProcess I/O thread, the prototype's epoll thread, the
 * delivery workers ({@code Schedulers.parallel()}), the JIT compilers, the garbage collector and the calling thread;
 * the child's own CPU time ({@code getrusage(RUSAGE_CHILDREN)} once it was reaped, which is where a reader's wake-ups
 * show: a write to a pipe that a reader waits on wakes the reader on the writer's time); the voluntary context
 * switches of the JVM's I/O, delivery and calling threads (each a wait for work: the hand-offs) and of the child
 * (each a write that found the pipe full);
 * also the median count of chunks ({@code stream}, prototype) or NuProcess callbacks (raw) per 256 MiB, and the load
 * average before and after. Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar
 * dev.procflux.jmh.StreamingCost [rounds [regexp]]}; with a regexp, only the variants whose name it finds run beside
 * the JDK loop (e.g. {@code 'FIFO|count only|default'}).
 */
public final class StreamingCost {
    private static final long BYTES = 256L << 20;
    private static final String[] ROLES = {"io", "delivery", "jit", "gc", "caller", "own io"};

    private StreamingCost() {
    }

    /** One variant's run: returns the bytes it counted and adds its chunks or callbacks to {@code pieces}. */
    private interface Variant {
        long run(AtomicLong pieces) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        Command head = Command.of(StreamingBenchmark.HEAD);
        ProcessEngine engine = ProcessEngine.builder().build();
        ProcessEngine direct = ProcessEngine.builder().directReads(true).build();
        ProcessEngine noPause = ProcessEngine.builder().backpressure(BackpressurePolicy.FAIL)
                .maxBufferedBytes(1L << 30).build();
        FifoReadPath fifo64 = new FifoReadPath(64 << 10, 1 << 20, 4L << 20, 1L << 20, Duration.ZERO);
        FifoReadPath fifo256 = new FifoReadPath(256 << 10, 1 << 20, 4L << 20, 1L << 20, Duration.ZERO);
        FifoReadPath rest = new FifoReadPath(64 << 10, 1 << 20, 4L << 20, 1L << 20, Duration.ofNanos(100_000));
        FifoReadPath rest300 = new FifoReadPath(64 << 10, 1 << 20, 4L << 20, 1L << 20, Duration.ofNanos(300_000));
        Map<String, FifoReadPath> pulls = new LinkedHashMap<>();
        pulls.put("FIFO pull, to EAGAIN", pull(false, 0, 0, Copy.NEW_CHUNK));
        pulls.put("FIFO pull, to short read", pull(true, 0, 0, Copy.NEW_CHUNK));
        pulls.put("FIFO pull, spin 20 µs", pull(false, 20, 0, Copy.NEW_CHUNK));
        pulls.put("FIFO pull, spin 20 µs, 64 KiB chunks", pull(false, 20, 0, Copy.NEW_CHUNK, true));
        pulls.put("FIFO pull, spin 20 µs, 32 KiB chunks", pull(32 << 10, false, 20, 0, Copy.NEW_CHUNK, true));
        pulls.put("FIFO pull, spin 20 µs, 16 KiB chunks", pull(16 << 10, false, 20, 0, Copy.NEW_CHUNK, true));
        pulls.put("FIFO pull, to EAGAIN, 64 KiB chunks", pull(false, 0, 0, Copy.NEW_CHUNK, true));
        pulls.put("FIFO pull, rest 50 µs", pull(false, 0, 50, Copy.NEW_CHUNK));
        pulls.put("FIFO pull, rest 100 µs", pull(false, 0, 100, Copy.NEW_CHUNK));
        pulls.put("FIFO pull, rest 300 µs", pull(false, 0, 300, Copy.NEW_CHUNK));
        pulls.put("FIFO pull, to short read, rest 50 µs", pull(true, 0, 50, Copy.NEW_CHUNK));
        pulls.put("FIFO pull, to short read, rest 100 µs", pull(true, 0, 100, Copy.NEW_CHUNK));
        pulls.put("FIFO pull, rest 300 µs, copyOf", pull(false, 0, 300, Copy.COPY_OF_ARRAY));
        pulls.put("FIFO pull, rest 300 µs, one array (bound)", pull(false, 0, 300, Copy.ONE_ARRAY));
        pulls.put("FIFO pull, rest 300 µs, no copy (bound)", pull(false, 0, 300, Copy.NONE));
        Map<String, Variant> variants = new LinkedHashMap<>();
        // the JDK loop runs on this thread, counted as "caller"
        variants.put("JDK InputStream loop", pieces -> StreamingPairs.jdkLoop());
        variants.put("NuProcess, count only", pieces -> nuProcess(false, pieces));
        variants.put("NuProcess, copy", pieces -> nuProcess(true, pieces));
        variants.put("procflux default", pieces -> engine.stream(head)
                .reduce(0L, (s, o) -> {
                    pieces.incrementAndGet();
                    return s + o.size();
                }).block());
        variants.put("procflux direct", pieces -> direct.stream(head)
                .reduce(0L, (s, o) -> {
                    pieces.incrementAndGet();
                    return s + o.size();
                }).block());
        variants.put("procflux FAIL", pieces -> noPause.stream(head)
                .reduce(0L, (s, o) -> {
                    pieces.incrementAndGet();
                    return s + o.size();
                }).block());
        variants.put("FIFO, 64 KiB reads", pieces -> fifo(fifo64, pieces));
        variants.put("FIFO, 256 KiB reads", pieces -> fifo(fifo256, pieces));
        variants.put("FIFO, 64K, rest 100 µs", pieces -> fifo(rest, pieces));
        variants.put("FIFO, 64K, rest 300 µs", pieces -> fifo(rest300, pieces));
        pulls.forEach((name, path) -> variants.put(name, pieces -> fifo(path, pieces)));
        // an optional second argument keeps only the variants whose name it finds (the JDK loop always stays)
        Pattern keep = Pattern.compile(args.length > 1 ? args[1] : "");
        List<String> names = new ArrayList<>();
        variants.keySet().stream().filter(n -> names.isEmpty() || keep.matcher(n).find()).forEach(names::add);
        Map<String, List<double[]>> samples = new LinkedHashMap<>();
        names.forEach(n -> samples.put(n, new ArrayList<>()));
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String loadBefore = loadAverage();
        try {
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get((i + round) % names.size());
                    AtomicLong pieces = new AtomicLong();
                    Map<String, long[]> threads0 = threadNanos();
                    long cpu0 = os.getProcessCpuTime();
                    long[] child0 = FifoReadPath.reapedChildren();
                    long start = System.nanoTime();
                    long n = variants.get(name).run(pieces);
                    long nanos = System.nanoTime() - start;
                    long cpu = os.getProcessCpuTime() - cpu0;
                    Map<String, long[]> threads1 = threadNanos();
                    awaitReaped(name);
                    long[] child1 = FifoReadPath.reapedChildren();
                    if (n != BYTES) {
                        throw new IllegalStateException(name + ": expected " + BYTES + " bytes but counted " + n);
                    }
                    if (round == 0) {
                        continue;
                    }
                    double[] s = new double[6 + ROLES.length];
                    s[0] = (BYTES >> 20) / (nanos / 1e9);
                    s[1] = cpu / 1e6;
                    s[2] = pieces.get();
                    s[3] = (child1[0] - child0[0]) / 1e6;
                    s[4 + ROLES.length] = child1[1] - child0[1];
                    threads1.forEach((task, v) -> {
                        int role = role(task.substring(task.indexOf(' ') + 1));
                        long[] v0 = threads0.getOrDefault(task, new long[2]);
                        if (role >= 0) {
                            s[4 + role] += (v[0] - v0[0]) / 1e6;
                        }
                        if (role >= 0 && role != 2 && role != 3) {
                            s[5 + ROLES.length] += v[1] - v0[1];
                        }
                    });
                    samples.get(name).add(s);
                }
            }
        }
        finally {
            engine.close();
            direct.close();
            noPause.close();
            fifo64.close();
            fifo256.close();
            rest.close();
            rest300.close();
            pulls.values().forEach(FifoReadPath::close);
        }
        List<double[]> reference = samples.get(names.get(0));
        System.out.printf(Locale.ROOT, "%-40s %6s %6s %13s %8s %6s %8s %9s %5s %4s %7s %7s %7s %8s %8s%n",
                "ms per 256 MiB (medians)", "MiB/s", "÷ JDK", "÷ JDK range", "JVM CPU", "I/O", "own I/O",
                "delivery", "JIT", "GC", "caller", "child", "pieces", "JVM vcs", "child vcs");
        for (String name : names) {
            List<double[]> r = samples.get(name);
            double logs = 0;
            double[] ratios = new double[r.size()];
            for (int i = 0; i < r.size(); i++) {
                ratios[i] = r.get(i)[0] / reference.get(i)[0];
                logs += Math.log(ratios[i]);
            }
            Arrays.sort(ratios);
            System.out.printf(Locale.ROOT, "%-40s %6.0f %6.3f %6.3f-%6.3f %8.0f %6.0f %8.0f %9.0f %5.0f %4.0f %7.0f "
                    + "%7.0f %7.0f %8.0f %8.0f%n", name, median(r, 0), Math.exp(logs / r.size()), ratios[0],
                    ratios[ratios.length - 1], median(r, 1), median(r, 4), median(r, 9), median(r, 5), median(r, 6),
                    median(r, 7), median(r, 8), median(r, 3), median(r, 2), median(r, 5 + ROLES.length),
                    median(r, 4 + ROLES.length));
        }
        System.out.printf(Locale.ROOT, "%d rounds, load average %s before, %s after; ÷ JDK = geometric mean of the "
                + "per-round ratios, range = their lowest and highest; I/O = the NuProcess I/O thread, own I/O = the "
                + "FIFO read path's epoll thread or procflux's stdout poller (directReads); child = the child's own "
                + "CPU (user and system); pieces = chunks delivered (procflux, FIFO) or NuProcess callbacks (raw); "
                + "vcs = voluntary context switches (a thread that waits) of the JVM's I/O, delivery and calling threads, and of the child (a write to a full "
                + "pipe)%n", reference.size(), loadBefore, loadAverage());
    }

    /** @return a {@link FifoReadPath} in the pull mode: 64 KiB reads, up to 1 MiB per turn */
    private static FifoReadPath pull(boolean stopAtShortRead, long spinMicros, long restMicros, Copy copy) {
        return pull(stopAtShortRead, spinMicros, restMicros, copy, false);
    }

    private static FifoReadPath pull(boolean stopAtShortRead, long spinMicros, long restMicros, Copy copy,
            boolean fill) {
        return pull(64 << 10, stopAtShortRead, spinMicros, restMicros, copy, fill);
    }

    private static FifoReadPath pull(int readSize, boolean stopAtShortRead, long spinMicros, long restMicros,
            Copy copy, boolean fill) {
        return new FifoReadPath(readSize, 1 << 20, new FifoReadPath.Pull(stopAtShortRead,
                Duration.ofNanos(spinMicros * 1_000), Duration.ofNanos(restMicros * 1_000), copy, fill));
    }

    private static long fifo(FifoReadPath path, AtomicLong chunks) throws Exception {
        try {
            return path.run(StreamingBenchmark.HEAD, c -> chunks.incrementAndGet()).get(60, TimeUnit.SECONDS);
        }
        catch (TimeoutException e) {
            throw new IllegalStateException("no end within 60 s after " + chunks + " chunks: " + path.state(), e);
        }
    }

    /**
     * Waits until this JVM has no child left, zombies included: a child's CPU time counts for its parent once it was
     * reaped, which NuProcess may do only at its next 250 ms poll.
     */
    private static void awaitReaped(String variant) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ProcessHandle.current().children().findAny().isPresent()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(variant + ": a child not reaped within 5 s");
            }
            Thread.sleep(1);
        }
    }

    /** @return the 1-, 5- and 15-minute load averages from {@code /proc/loadavg} */
    static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    /** @return the role of a thread by its kernel name, or -1 when none of the roles */
    private static int role(String comm) {
        if (comm.startsWith("NuProcess")) {
            return 0;
        }
        // procflux-stdout-poll, as the kernel's 15-character thread name shows it
        if (comm.startsWith("readpath-io") || comm.startsWith("procflux-stdout")) {
            return 5;
        }
        if (comm.startsWith("parallel-")) {
            return 1;
        }
        if (comm.contains("CompilerThre")) {
            return 2;
        }
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
            return 3;
        }
        return comm.equals("main") || comm.equals("java") ? 4 : -1;
    }

    /**
     * @return the CPU time in nanoseconds and the voluntary context switches of each thread of this JVM so far,
     *     keyed by "tid name"
     */
    private static Map<String, long[]> threadNanos() throws IOException {
        Map<String, long[]> nanos = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String comm = Files.readString(task.resolve("comm")).trim();
                    String schedstat = Files.readString(task.resolve("schedstat"));
                    String status = Files.readString(task.resolve("status"));
                    int at = status.indexOf("voluntary_ctxt_switches:") + "voluntary_ctxt_switches:".length();
                    long switches = Long.parseLong(status.substring(at, status.indexOf('\n', at)).trim());
                    nanos.put(task.getFileName() + " " + comm, new long[] {Long.parseLong(schedstat.split(" ")[0]),
                        switches});
                }
                catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read: it adds nothing to this round
                }
            }
        }
        return nanos;
    }

    private static double median(List<double[]> rows, int column) {
        return rows.stream().mapToDouble(a -> a[column]).sorted().toArray()[rows.size() / 2];
    }

    /** Raw NuProcess: every read only counted ({@code copy} false) or copied into a new array. */
    private static long nuProcess(boolean copy, AtomicLong callbacks) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        // written on the NuProcess I/O thread; the latch publishes it to this thread
        AtomicLong count = new AtomicLong();
        NuProcessBuilder b = new NuProcessBuilder(StreamingBenchmark.HEAD);
        b.setProcessListener(new NuAbstractProcessHandler() {
            @Override
            public void onStart(NuProcess nuProcess) {
                nuProcess.closeStdin(true);
            }

            @Override
            public void onStdout(ByteBuffer buffer, boolean closed) {
                int n = buffer.remaining();
                if (copy) {
                    byte[] bytes = new byte[n];
                    buffer.get(bytes);
                }
                else {
                    buffer.position(buffer.limit());
                }
                count.addAndGet(n);
                callbacks.incrementAndGet();
            }

            @Override
            public void onExit(int statusCode) {
                done.countDown();
            }
        });
        if (b.start() == null) {
            throw new UncheckedIOException(new IOException("NuProcess could not start " + StreamingBenchmark.HEAD));
        }
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no exit within 60 s: " + StreamingBenchmark.HEAD);
        }
        return count.get();
    }
}
