package dev.procflux.jmh;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import reactor.core.Disposable;

/**
 * What cancelling many runs at once costs the cancelling thread, and how soon the processes are gone: {@code n}
 * subscriptions to {@code engine.stream(sleep 300)}, all started, then disposed one after another from one thread (as
 * an event loop does when that many clients hang up), timing each {@code dispose()} (it queues the tree kill, which
 * the engine's kill threads run) and the cancelling thread's CPU time over all of them, then the time from the first
 * {@code dispose()} until every process has exited. Not a JMH benchmark: one cancellation wave per run. Usage:
 * {@code java -cp benchmarks.jar dev.procflux.jmh.CancelMany [n]} (default 250); it prints the number of processes
 * on the machine and the load average next to the times, since a full {@code /proc} scan grows with the former.
 */
public final class CancelMany {
    private CancelMany() {
    }

    public static void main(String[] args) throws InterruptedException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 250;
        try (ProcessEngine engine = ProcessEngine.builder().maxConcurrency(n).closeOnShutdown(false).build()) {
            AtomicInteger started = new AtomicInteger();
            List<Disposable> runs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                runs.add(engine.stream(Command.of("sleep", "300"), pid -> started.incrementAndGet())
                        .subscribe(chunk -> { }, error -> { }));
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (started.get() < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + started.get() + " of " + n + " started in 2 min");
                }
                Thread.sleep(20);
            }
            long processes = processesOnTheMachine();
            String load = LoadAverage.now();
            long total = 0;
            long max = 0;
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpu = threads.getCurrentThreadCpuTime();
            long first = System.nanoTime();
            for (Disposable run : runs) {
                long t0 = System.nanoTime();
                run.dispose();
                long took = System.nanoTime() - t0;
                total += took;
                max = Math.max(max, took);
            }
            cpu = threads.getCurrentThreadCpuTime() - cpu;
            long goneBy = first + Duration.ofMinutes(2).toNanos();
            while (engine.metrics().alive() > 0) {
                if (System.nanoTime() > goneBy) {
                    throw new IllegalStateException(engine.metrics().alive() + " of " + n + " still alive after 2 min");
                }
                Thread.sleep(1);
            }
            long allGone = System.nanoTime() - first;
            System.out.printf(Locale.ROOT, "%d runs cancelled, %d processes on the machine: dispose() total %.1f ms,"
                    + " mean %.3f ms, max %.1f ms, CPU of the cancelling thread %.1f ms; all exited %.0f ms after the"
                    + " first dispose(); load average %s, after: %s%n", n, processes, total / 1e6, total / 1e6 / n,
                    max / 1e6, cpu / 1e6, allGone / 1e6, load, LoadAverage.now());
        }
    }

    private static long processesOnTheMachine() {
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            return entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).count();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
