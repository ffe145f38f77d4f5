package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.ProcessStartException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Many mixed runs at high concurrency against real processes; afterwards descriptors, threads, children, slots,
 * buffers and heap must be back where they started. The default run is short; the long one is tagged
 * {@code soak} and runs with {@code mvn -B verify -Psoak -Dit.test=SoakIT -Dprocflux.soak.runs=200000} (add
 * {@code -Dprocflux.soak.directReads=true} for its streams to read stdout directly); the short one runs on both paths.
 *
 * <p>Every run's parameters come from one seeded {@link Random} (printed, and settable with
 * {@code -Dprocflux.soak.seed}), so a failing mix can be replayed; thread timing still varies between replays.
 */
@EnabledOnOs(OS.LINUX)
class SoakIT {
    private static final int DEFAULT_RUNS = 5_000;
    private static final int LONG_RUNS = Integer.getInteger("procflux.soak.runs", 200_000);
    private static final long SEED = Long.getLong("procflux.soak.seed", 0x50A4L);
    private static final int MAX_CONCURRENCY = 32;
    private static final int IN_FLIGHT = 96;
    // every process the soak starts carries this variable, so an escaped one is found wherever it was re-parented
    private static final String MARKER = "PROCFLUX_SOAK";
    // -Dprocflux.soak.histogram=true: print the classes whose live bytes grew most (to chase a heap trend)
    private static final boolean HISTOGRAM = Boolean.getBoolean("procflux.soak.histogram");
    // -Dprocflux.soak.directReads=true: the long soak's streams read stdout on their delivery threads
    private static final boolean DIRECT_READS = Boolean.getBoolean("procflux.soak.directReads");

    /** The kinds of run in the mix, picked uniformly. */
    private enum Kind {
        SUCCESS, NON_ZERO_EXIT, TIMEOUT, TIMEOUT_TREE, CANCEL_EXECUTE, CANCEL_LINES, CANCEL_STREAM, STDIN_BYTES,
        STDIN_PUBLISHER, PIPE, LINES, SLOW_STREAM, FAST_STREAM, STALLED_STREAM, LEASE, START_FAILURE, WORKER_CALL, WORKER_CANCEL, WORKER_CRASH
    }

    /** The worker of the mix: echoes a line, answers {@code slow …} after a second, exits 3 on {@code crash}. */
    private static final String WORKER_SCRIPT = "while read -r l; do case \"$l\" in crash) exit 3;; "
            + "slow*) sleep 1; echo \"$l\";; *) echo \"$l\";; esac; done";

    @Test
    void fiveThousandMixedRunsAtHighConcurrencyLeaveNothingBehind() {
        soak(DEFAULT_RUNS, false);
    }

    @Test
    void fiveThousandMixedRunsWithDirectReadsLeaveNothingBehind() {
        soak(DEFAULT_RUNS, true);
    }

    @Test
    @Tag("soak")
    void theLongSoakLeavesNothingBehind() {
        soak(LONG_RUNS, DIRECT_READS);
    }

    private static void soak(int runs, boolean directReads) {
        String marker = UUID.randomUUID().toString();
        System.out.printf("soak: %d runs, seed %d (replay with -Dprocflux.soak.seed=%d), maxConcurrency %d, "
                + "%d in flight, directReads %s%n", runs, SEED, SEED, MAX_CONCURRENCY, IN_FLIGHT, directReads);
        ProcessEngine engine = ProcessEngine.builder().maxConcurrency(MAX_CONCURRENCY).maxPendingAcquire(IN_FLIGHT)
                .killGracePeriod(Duration.ofMillis(200)).directReads(directReads).build();
        // one pool per phase: idle workers are children too, and the baseline is taken with none
        WorkerPool<String, String> warmUpWorkers = workers(engine, marker);
        WorkerPool<String, String> workers = workers(engine, marker);
        try {
            Soak warmUp = new Soak(engine, warmUpWorkers, marker, new Random(SEED - 1));
            // the shared threads (NuProcess I/O, schedulers, JNA) start here and belong to the baseline
            warmUp.run(Math.min(runs, 500));
            warmUpWorkers.close();
            settle(engine, marker);
            // first: attaching jcmd starts a thread and opens a socket, which belong to the baseline
            Map<String, Long> histogramBefore = HISTOGRAM ? histogram() : Map.of();
            Figures before = Figures.take();

            Soak soak = new Soak(engine, workers, marker, new Random(SEED));
            long t0 = System.nanoTime();
            soak.run(runs);
            long millis = (System.nanoTime() - t0) / 1_000_000;

            WorkerPoolMetrics w = workers.metrics();
            workers.close();
            settle(engine, marker);
            await().alias("descriptors and threads back to the baseline " + before)
                    .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> Figures.take().withinBaseline(before));
            Figures after = Figures.take();
            if (HISTOGRAM) {
                printGrowth(histogramBefore, histogram());
            }
            EngineMetrics m = engine.metrics();
            System.out.printf("soak: %d runs in %d ms (%.0f runs/s); outcomes %s%n", runs, millis,
                    runs * 1000.0 / Math.max(1, millis), new TreeMap<>(soak.counts()));
            System.out.printf("soak: before %s%nsoak: after  %s%nsoak: %s%nsoak: workers %s%n", before, after, m,
                    w);

            assertThat(soak.failures()).as("runs that did not behave").isEmpty();
            assertThat(soak.total()).isEqualTo(runs);
            assertThat(m.alive()).isZero();
            assertThat(m.acquired()).isZero();
            assertThat(m.pending()).isZero();
            assertThat(m.bufferedBytes()).isZero();
            if (directReads) {
                // a slow subscriber holds the reads, so its child blocks in write: nothing queued, never stopped
                assertThat(m.peakBufferedBytes()).as("stdout never queued").isZero();
                assertThat(m.pauses()).as("no process stopped for its stdout").isZero();
            }
            else {
                assertThat(m.pauses()).as("slow subscribers paused their process").isPositive();
            }
            assertThat(m.timedOut()).isPositive();
            assertThat(m.cancelled()).isPositive();
            assertThat(w.pending()).isZero();
            assertThat(w.restarts(WorkerRestartCause.CRASH)).as("crash requests replaced their worker").isPositive();
            assertThat(w.restarts(WorkerRestartCause.CANCELLED)).as("cancelled calls retired their worker")
                    .isPositive();
            // live heap after GC: what a run keeps must not accumulate (the slack covers JIT and class metadata)
            assertThat(after.heapBytes - before.heapBytes).isLessThan(48L * 1024 * 1024);
        }
        finally {
            warmUpWorkers.close();
            workers.close();
            engine.close();
        }
    }

    private static WorkerPool<String, String> workers(ProcessEngine engine, String marker) {
        return WorkerPool.builder(Command.shell(WORKER_SCRIPT).withEnv(MARKER, marker))
                .sizeBetween(0, 4).maxPendingAcquire(IN_FLIGHT).build(engine);
    }

    /** Live bytes per class ({@code jcmd GC.class_histogram}, which collects first). */
    private static Map<String, Long> histogram() {
        Map<String, Long> bytes = new TreeMap<>();
        try {
            Process jcmd = new ProcessBuilder("jcmd", Long.toString(ProcessHandle.current().pid()),
                    "GC.class_histogram").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor();
            for (String line : out.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].endsWith(":")) {
                    bytes.put(f[3], Long.parseLong(f[2]));
                }
            }
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return bytes;
    }

    private static void printGrowth(Map<String, Long> before, Map<String, Long> after) {
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(15)
                .forEach(e -> System.out.printf("soak: heap growth %,12d bytes %s%n", e.getValue(), e.getKey()));
    }

    /** Waits until the engine is idle and no process of the soak is left anywhere on the machine. */
    private static void settle(ProcessEngine engine, String marker) {
        await().alias("engine idle: " + engine.metrics()).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    EngineMetrics m = engine.metrics();
                    return m.acquired() == 0 && m.alive() == 0 && m.pending() == 0 && m.bufferedBytes() == 0;
                });
        // no child left: not alive, not a zombie, not stopped
        OsProcesses.awaitNoChildren();
        // and nothing escaped by re-parenting to init
        await().alias("no process marked " + MARKER + "=" + marker).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> markedProcesses(marker).isEmpty());
    }

    /** Processes anywhere on the machine whose environment holds the soak's marker. */
    static List<String> markedProcesses(String marker) {
        byte[] needle = (MARKER + "=" + marker).getBytes(StandardCharsets.UTF_8);
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : proc) {
                try {
                    byte[] env = Files.readAllBytes(p.resolve("environ"));
                    if (indexOf(env, needle) >= 0) {
                        found.add(p.getFileName() + ":" + OsProcesses.state(Long.parseLong(p.getFileName().toString())));
                    }
                }
                catch (IOException | RuntimeException gone) {
                    // exited while we looked, or a kernel thread: not one of ours
                }
            }
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** What the JVM holds: the figures that must come back after the soak. */
    private static final class Figures {
        final long fds;
        final int threads;
        final long heapBytes;
        final long children;

        Figures(long fds, int threads, long heapBytes, long children) {
            this.fds = fds;
            this.threads = threads;
            this.heapBytes = heapBytes;
            this.children = children;
        }

        static Figures take() {
            System.gc();
            return new Figures(OsProcesses.openFileDescriptors(), ManagementFactory.getThreadMXBean().getThreadCount(),
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                    ProcessHandle.current().descendants().count());
        }

        /** Descriptors exactly back; threads within the few that idle scheduler workers may still hold. */
        boolean withinBaseline(Figures baseline) {
            return fds <= baseline.fds && threads <= baseline.threads + 4 && children == 0;
        }

        @Override
        public String toString() {
            return "fds=" + fds + ", threads=" + threads + ", children=" + children + ", heapAfterGc="
                    + heapBytes / 1024 + " KiB";
        }
    }

    /** One mix of runs and its bookkeeping. */
    private static final class Soak {
        private final ProcessEngine engine;
        private final WorkerPool<String, String> workers;
        private final String marker;
        private final Random seeds;
        private final Map<Kind, LongAdder> counts = new ConcurrentHashMap<>();
        private final Queue<String> failures = new ConcurrentLinkedQueue<>();

        Soak(ProcessEngine engine, WorkerPool<String, String> workers, String marker, Random seeds) {
            this.engine = engine;
            this.workers = workers;
            this.marker = marker;
            this.seeds = seeds;
        }

        void run(int runs) {
            Duration bound = Duration.ofMinutes(5).plusMillis(runs * 20L);
            // the parameters of run i are drawn here, in order, so that a seed replays the same mix
            Flux.range(0, runs)
                    .map(i -> new Random(seeds.nextLong()))
                    .flatMap(r -> one(r).onErrorResume(e -> {
                        failures.add("unexpected " + e);
                        return Mono.empty();
                    }), IN_FLIGHT)
                    .blockLast(bound);
        }

        Map<Kind, Long> counts() {
            Map<Kind, Long> m = new TreeMap<>();
            counts.forEach((k, v) -> m.put(k, v.sum()));
            return m;
        }

        long total() {
            return counts.values().stream().mapToLong(LongAdder::sum).sum();
        }

        List<String> failures() {
            return new ArrayList<>(failures).subList(0, Math.min(20, failures.size()));
        }

        private Command marked(Command c) {
            return c.withEnv(MARKER, marker);
        }

        private void check(boolean ok, Kind kind, Object what) {
            if (!ok) {
                failures.add(kind + ": " + what);
            }
        }

        private Mono<Void> one(Random r) {
            Kind kind = Kind.values()[r.nextInt(Kind.values().length)];
            counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
            switch (kind) {
                case SUCCESS: {
                    String word = "ok" + r.nextInt(1000);
                    return engine.execute(marked(Command.of("echo", word))).doOnNext(res -> check(
                            res.isSuccess() && res.stdoutText().equals(word + "\n"), kind, res)).then();
                }
                case NON_ZERO_EXIT: {
                    int code = 1 + r.nextInt(254);
                    return engine.execute(marked(Command.shell("echo bad >&2; exit " + code))).doOnNext(res -> check(
                            res.exitCode() == code && !res.exitStatus().isSignaled()
                                    && res.stderrText().equals("bad\n"), kind, res)).then();
                }
                case TIMEOUT:
                    return expectTimeout(kind, Command.of("sleep", "5"), 5 + r.nextInt(50));
                case TIMEOUT_TREE:
                    return expectTimeout(kind, Command.shell("sleep 5 & sleep 5 & echo started; wait"),
                            5 + r.nextInt(80));
                case CANCEL_EXECUTE:
                    // cancelled anywhere: waiting for a slot, launching, or running
                    return engine.execute(marked(Command.of("sleep", "5")))
                            .take(Duration.ofMillis(r.nextInt(60)))
                            .doOnNext(res -> check(false, kind, "a result before the cancel: " + res)).then();
                case CANCEL_LINES: {
                    int lines = 1 + r.nextInt(2000);
                    return engine.lines(marked(Command.of("yes", "soak"))).take(lines).count()
                            .doOnNext(n -> check(n == lines, kind, n + " lines of " + lines)).then();
                }
                case CANCEL_STREAM: {
                    int chunks = 1 + r.nextInt(4);
                    return engine.stream(marked(Command.shell("head -c 1000000 /dev/urandom; sleep 5")))
                            .take(chunks).count()
                            .doOnNext(n -> check(n == chunks, kind, n + " chunks of " + chunks)).then();
                }
                case STDIN_BYTES: {
                    byte[] in = bytes(r, r.nextInt(256 * 1024));
                    return engine.execute(marked(Command.of("cat").withStdin(in))).doOnNext(res -> check(
                            res.isSuccess() && Arrays.equals(res.stdout(), in), kind, res)).then();
                }
                case STDIN_PUBLISHER: {
                    List<byte[]> chunks = chunks(r);
                    return engine.execute(marked(Command.of("cat").withStdin(buffers(chunks))))
                            .doOnNext(res -> check(res.isSuccess() && Arrays.equals(res.stdout(), concat(chunks)),
                                    kind, res)).then();
                }
                case PIPE: {
                    List<byte[]> chunks = chunks(r);
                    return buffers(chunks).transform(engine.pipe(marked(Command.of("cat"))))
                            .collect(ByteArrayOutputStream::new, (out, b) -> {
                                byte[] a = new byte[b.remaining()];
                                b.get(a);
                                out.writeBytes(a);
                            })
                            .doOnNext(out -> check(Arrays.equals(out.toByteArray(), concat(chunks)), kind,
                                    out.size() + " bytes piped")).then();
                }
                case LINES: {
                    int n = 1 + r.nextInt(3000);
                    return engine.lines(marked(Command.of("seq", "1", Integer.toString(n))))
                            .reduce(new long[2], (acc, line) -> {
                                acc[0]++;
                                acc[1] += Long.parseLong(line);
                                return acc;
                            })
                            .doOnNext(acc -> check(acc[0] == n && acc[1] == (long) n * (n + 1) / 2, kind,
                                    acc[0] + " lines of " + n)).then();
                }
                case SLOW_STREAM: {
                    long size = 1024L * 1024 + r.nextInt(1024 * 1024);
                    // one element at a time, each a millisecond late: the queue passes the high-water mark
                    return engine.stream(marked(Command.of("head", "-c", Long.toString(size), "/dev/zero")))
                            .concatMap(o -> Mono.delay(Duration.ofMillis(1)).thenReturn(o), 1)
                            .reduce(new long[2], (acc, o) -> {
                                acc[0] += o.size();
                                acc[1] = o.isExit() ? o.exitStatus().code() + 1 : acc[1];
                                return acc;
                            })
                            .doOnNext(acc -> check(acc[0] == size && acc[1] == 1, kind,
                                    acc[0] + " bytes of " + size + ", exit element " + acc[1])).then();
                }
                case FAST_STREAM: {
                    long size = 4L * 1024 * 1024 + r.nextInt(4 * 1024 * 1024);
                    // as fast as it can: earns a larger mark while the slow and stalled ones around it keep theirs
                    return engine.stream(marked(Command.of("head", "-c", Long.toString(size), "/dev/zero")))
                            .reduce(0L, (n, o) -> n + o.size())
                            .doOnNext(n -> check(n == size, kind, n + " bytes of " + size)).then();
                }
                case STALLED_STREAM: {
                    int stallMillis = 5 + r.nextInt(100);
                    // takes one chunk, stops asking (the process pauses at the small mark), then one more and
                    // cancels: a cancel that usually lands on a paused tree
                    return engine.stream(marked(Command.of("yes", "stalled")))
                            .delayUntil(o -> Mono.delay(Duration.ofMillis(stallMillis)))
                            .take(2).count()
                            .doOnNext(n -> check(n == 2, kind, n + " chunks of 2")).then();
                }
                case LEASE:
                    return engine.withLease(lease -> lease.execute(marked(Command.of("true")))
                                    .then(lease.execute(marked(Command.of("echo", "second")))))
                            .next()
                            .doOnNext(res -> check(res.isSuccess() && res.stdoutText().equals("second\n"), kind,
                                    res)).then();
                case WORKER_CALL: {
                    String request = "req" + r.nextInt(1_000_000);
                    return workers.call(request)
                            .doOnNext(reply -> check(reply.equals(request), kind, reply)).then();
                }
                case WORKER_CANCEL:
                    // cancelled while waiting for a worker (on a busy pool the wait outlasts the 50 ms), or inside
                    // a lease with the request in the worker, which is then retired
                    if (r.nextBoolean()) {
                        // a timer delayed past the worker's 1 s answer on a loaded machine lets the reply win the
                        // race; a reply is then this call's own, never another's
                        String slow = "slow " + r.nextInt(1_000_000);
                        return workers.withWorker(w -> w.call(slow).take(Duration.ofMillis(r.nextInt(50))))
                                .doOnNext(reply -> check(reply.equals(slow), kind, "another call's reply: " + reply))
                                .then();
                    }
                    return workers.call("slow " + r.nextInt(1000))
                            .take(Duration.ofMillis(r.nextInt(50)))
                            .doOnNext(reply -> check(false, kind, "a reply before the cancel: " + reply)).then();
                case WORKER_CRASH:
                    // a worker that has answered before: one that dies on its very first request counts as a
                    // start failure, and three of those in a row make the pool back off (WorkerPoolIT)
                    return workers.withWorker(w -> w.call("before crash").then(w.call("crash")))
                            .doOnNext(reply -> check(false, kind, "a reply from a crashing worker: " + reply))
                            .onErrorResume(WorkerCrashedException.class, e -> {
                                check(e.getMessage().contains("died with exit 3"), kind, e);
                                return Mono.empty();
                            }).then();
                default:
                    return engine.execute(marked(Command.of("procflux-soak-missing")))
                            .doOnNext(res -> check(false, kind, "started: " + res))
                            .onErrorResume(ProcessStartException.class, e -> {
                                check(e.reason() == Reason.EXECUTABLE_NOT_FOUND
                                        && e.getMessage().contains("executable 'procflux-soak-missing' not found"),
                                        kind, e);
                                return Mono.empty();
                            }).then();
            }
        }

        private Mono<Void> expectTimeout(Kind kind, Command command, int millis) {
            return engine.execute(marked(command.withTimeout(Duration.ofMillis(millis))))
                    .doOnNext(res -> check(false, kind, "a result instead of a timeout: " + res))
                    .onErrorResume(ProcessTimeoutException.class, e -> {
                        check(e.phase() == ProcessTimeoutException.Phase.RUN
                                && e.getMessage().contains("timed out after " + millis + "ms (RUN)"), kind, e);
                        return Mono.empty();
                    }).then();
        }

        private static byte[] bytes(Random r, int n) {
            byte[] b = new byte[n];
            r.nextBytes(b);
            return b;
        }

        private static List<byte[]> chunks(Random r) {
            List<byte[]> chunks = new ArrayList<>();
            int n = r.nextInt(8);
            for (int i = 0; i < n; i++) {
                chunks.add(bytes(r, r.nextInt(64 * 1024)));
            }
            return chunks;
        }

        private static Flux<ByteBuffer> buffers(List<byte[]> chunks) {
            return Flux.fromIterable(chunks).map(ByteBuffer::wrap);
        }

        private static byte[] concat(List<byte[]> chunks) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            chunks.forEach(out::writeBytes);
            return out.toByteArray();
        }
    }
}
