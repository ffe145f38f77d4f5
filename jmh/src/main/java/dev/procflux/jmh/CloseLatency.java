package dev.procflux.jmh;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How long {@code ProcessEngine.close()} takes: {@code n} streams of a tree, all started and settled, then one
 * {@code close()}, timed; repeated {@code rounds} times with a new engine (kill grace period 2 s) each. Two trees:
 * {@code sigterm}, {@code sleep 60 & sleep 60 & wait}, which dies of the SIGTERM, so {@code close()} returns as soon
 * as every process of it is gone; and {@code ignoring}, whose background {@code sleep} ignores SIGTERM, so
 * {@code close()} returns after that sleep's SIGKILL at the end of the grace period. Not a JMH benchmark. Usage:
 * {@code java -cp benchmarks.jar dev.procflux.jmh.CloseLatency sigterm|ignoring [n] [rounds]} (default 1 and 8); it
 * prints the sorted times and the load average before and after.
 */
public final class CloseLatency {
    private CloseLatency() {
    }

    public static void main(String[] args) throws InterruptedException {
        String tree = args[0];
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Command command = switch (tree) {
            case "sigterm" -> Command.shell("sleep 60 & sleep 60 & wait");
            case "ignoring" -> Command.shell("sh -c 'trap \"\" TERM; exec sleep 60' & wait");
            default -> throw new IllegalArgumentException("tree must be sigterm or ignoring, was " + tree);
        };
        String loadBefore = LoadAverage.now();
        double[] millis = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ProcessEngine engine = ProcessEngine.builder().maxConcurrency(n).killGracePeriod(Duration.ofSeconds(2))
                    .closeOnShutdown(false).build();
            AtomicInteger started = new AtomicInteger();
            for (int i = 0; i < n; i++) {
                engine.stream(command, pid -> started.incrementAndGet()).subscribe(chunk -> { }, error -> { });
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (started.get() < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + started.get() + " of " + n + " started in 1 min");
                }
                Thread.sleep(20);
            }
            Thread.sleep(300); // every shell has forked its background jobs
            long t0 = System.nanoTime();
            engine.close();
            millis[r] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(millis);
        StringBuilder sorted = new StringBuilder();
        for (double m : millis) {
            sorted.append(String.format(Locale.ROOT, " %.1f", m));
        }
        System.out.printf(Locale.ROOT, "close() of %d %s trees, ms (sorted):%s; median %.1f; load average %s -> %s%n",
                n, tree, sorted, millis[rounds / 2], loadBefore, LoadAverage.now());
    }
}
