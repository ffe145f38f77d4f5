package dev.procflux.jmh;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * What cancelling many runs at once costs the cancelling thread: {@code n} subscriptions to
 * {@code engine.stream(sleep 300)}, all started, then disposed one after another from one thread (as an event loop
 * does when that many clients hang up), timing each {@code dispose()}: the tree kill's freeze and SIGTERM run there,
 * the grace period and SIGKILL do not. Not a JMH benchmark: one cancellation wave per run. Usage:
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
            String load = loadAverage();
            long total = 0;
            long max = 0;
            for (Disposable run : runs) {
                long t0 = System.nanoTime();
                run.dispose();
                long took = System.nanoTime() - t0;
                total += took;
                max = Math.max(max, took);
            }
            System.out.printf(Locale.ROOT, "%d runs cancelled, %d processes on the machine: dispose() total %.1f ms,"
                    + " mean %.2f ms, max %.1f ms; load average %s, after: %s%n", n, processes, total / 1e6,
                    total / 1e6 / n, max / 1e6, load, loadAverage());
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

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
