package dev.procflux.jmh;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * What {@value #DEFAULT_CHILDREN} concurrent {@code sleep 5} cost the JVM: live threads and resident memory.
 * Not a JMH benchmark: it samples state, not time. Run each variant in its own JVM:
 * {@code java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -cp benchmarks.jar dev.procflux.jmh.Footprint VARIANT [children]}
 * with VARIANT one of {@code procflux}, {@code procfluxSingleLauncher}, {@code processBuilder}.
 *
 * <p>A fixed, pre-touched heap keeps heap growth out of the RSS delta, so RSS measures native memory (thread
 * stacks, NuProcess/JNA buffers, pipe bookkeeping); retained heap is reported separately (used heap after a GC).
 *
 * <p>Phases: {@code idle} (nothing started), {@code warm} (the variant ran one {@code /bin/true}, so its fixed
 * threads exist), {@code running} (all children alive, counted from the OS), {@code after} (all exited, plus 1 s).
 * "per child" figures are {@code running - warm} divided by the number of children.
 */
public final class Footprint {
    private static final int DEFAULT_CHILDREN = 500;
    // seconds each child sleeps: -Dfootprint.sleepSeconds, default 5; starting all children must take less
    private static final List<String> SLEEP = List.of("sleep", System.getProperty("footprint.sleepSeconds", "5"));

    private Footprint() {
    }

    public static void main(String[] args) throws InterruptedException {
        String variant = args.length > 0 ? args[0] : "procflux";
        int children = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_CHILDREN;
        Snapshot idle = Snapshot.take();
        Snapshot warm;
        Snapshot running;
        Snapshot after;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        switch (variant) {
            case "procflux": {
                try (ProcessEngine engine = ProcessEngine.builder().maxConcurrency(children)
                        .maxPendingAcquire(children).build()) {
                    engine.execute(Command.of("/bin/true")).block();
                    warm = Snapshot.take();
                    threads.resetPeakThreadCount();
                    CountDownLatch done = new CountDownLatch(1);
                    Command sleep = Command.of(SLEEP);
                    Flux.range(0, children).flatMap(i -> engine.execute(sleep), children)
                            .doOnError(Throwable::printStackTrace).doFinally(s -> done.countDown()).subscribe();
                    running = awaitChildren(children);
                    await(done);
                    after = settle();
                }
                break;
            }
            case "procfluxSingleLauncher": {
                // same engine with the public launchScheduler option set to a private single thread, next to the
                // default's one shared launch thread
                Scheduler launcher = Schedulers.newSingle("procflux-launch");
                try (ProcessEngine engine = ProcessEngine.builder().maxConcurrency(children).maxPendingAcquire(children)
                        .launchScheduler(launcher).build()) {
                    engine.execute(Command.of("/bin/true")).block();
                    warm = Snapshot.take();
                    threads.resetPeakThreadCount();
                    CountDownLatch done = new CountDownLatch(1);
                    Command sleep = Command.of(SLEEP);
                    Flux.range(0, children).flatMap(i -> engine.execute(sleep), children)
                            .doOnError(Throwable::printStackTrace).doFinally(s -> done.countDown()).subscribe();
                    running = awaitChildren(children);
                    await(done);
                    after = settle();
                }
                finally {
                    launcher.dispose();
                }
                break;
            }
            case "processBuilder": {
                JdkProcesses.run(List.of("/bin/true"));
                warm = Snapshot.take();
                threads.resetPeakThreadCount();
                List<Thread> readers = new ArrayList<>(children);
                for (int i = 0; i < children; i++) {
                    readers.add(startWithReader());
                }
                running = awaitChildren(children);
                for (Thread t : readers) {
                    t.join();
                }
                after = settle();
                break;
            }
            default:
                throw new IllegalArgumentException(
                        "variant must be procflux, procfluxSingleLauncher or processBuilder, was " + variant);
        }
        int peak = threads.getPeakThreadCount();
        System.out.printf(Locale.ROOT, "variant=%s children=%d command=%s jdk=%s%n", variant, children, SLEEP,
                System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "%-8s %8s %10s %10s %12s%n", "phase", "threads", "rss_kb", "heap_kb",
                "child_rss_kb");
        idle.print("idle");
        warm.print("warm");
        running.print("running");
        after.print("after");
        System.out.printf(Locale.ROOT, "added threads (running - warm): %d, peak while running: %d (+%d over warm)%n",
                running.threads - warm.threads, peak, peak - warm.threads);
        printThreadDiff("threads started by the warm-up, by name (warm - idle):", idle, warm);
        printThreadDiff("threads added while running, by name (running - warm):", warm, running);
        System.out.printf(Locale.ROOT, "RSS per child (running - warm): %.1f KB; retained heap per child: %.1f KB%n",
                (running.rssKb - warm.rssKb) / (double) children, (running.heapKb - warm.heapKb) / (double) children);
    }

    private static void printThreadDiff(String title, Snapshot before, Snapshot later) {
        System.out.println(title);
        Map<String, Integer> names = new TreeMap<>(later.threadsByName);
        before.threadsByName.forEach((name, n) -> names.merge(name, -n, Integer::sum));
        names.forEach((name, n) -> {
            if (n != 0) {
                System.out.printf(Locale.ROOT, "  %+5d  %s%n", n, name);
            }
        });
    }

    /** ProcessBuilder with one reader thread per child (stderr merged into stdout), as a plain caller would. */
    private static Thread startWithReader() {
        Process p;
        try {
            p = new ProcessBuilder(SLEEP).redirectErrorStream(true).start();
            p.getOutputStream().close();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(OutputStreamSink.INSTANCE);
                p.waitFor();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "reader-" + p.pid());
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    private static Snapshot awaitChildren(int children) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ProcessHandle.current().children().count() < children) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + ProcessHandle.current().children().count() + " of "
                        + children + " children alive after 30s: if starting them took longer than one child "
                        + "sleeps, rerun with a longer -Dfootprint.sleepSeconds");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return Snapshot.take();
    }

    private static void await(CountDownLatch done) throws InterruptedException {
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("children did not finish within 60s");
        }
    }

    private static Snapshot settle() {
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
        return Snapshot.take();
    }

    /** Discards bytes: the children print nothing, but a reader must still drain the pipe. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    private static final class Snapshot {
        final int threads;
        final long rssKb;
        final long heapKb;
        final long childRssKb;
        final Map<String, Integer> threadsByName;

        private Snapshot(int threads, long rssKb, long heapKb, long childRssKb) {
            this.threads = threads;
            // digits folded so that pools show as one line: "boundedElastic-#", "process reaper"
            this.threadsByName = new TreeMap<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                threadsByName.merge(t.getName().replaceAll("[0-9]+", "#"), 1, Integer::sum);
            }
            this.rssKb = rssKb;
            this.heapKb = heapKb;
            this.childRssKb = childRssKb;
        }

        static Snapshot take() {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            System.gc();
            long heap = memory.getHeapMemoryUsage().getUsed() / 1024;
            long children = ProcessHandle.current().children().mapToLong(h -> rssKb(Path.of("/proc", Long.toString(
                    h.pid()), "status"))).sum();
            return new Snapshot(ManagementFactory.getThreadMXBean().getThreadCount(),
                    rssKb(Path.of("/proc/self/status")), heap, children);
        }

        void print(String phase) {
            System.out.printf(Locale.ROOT, "%-8s %8d %10d %10d %12d%n", phase, threads, rssKb, heapKb, childRssKb);
        }

        private static long rssKb(Path status) {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
                return 0; // a zombie has no VmRSS line
            }
            catch (IOException e) {
                return 0; // the child exited between listing and reading: it holds no memory any more
            }
        }
    }
}
