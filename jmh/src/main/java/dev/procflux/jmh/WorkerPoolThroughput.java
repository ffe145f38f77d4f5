package dev.procflux.jmh;

import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import dev.procflux.ProcessResult;
import dev.procflux.WorkerPool;
import java.time.Duration;
import java.util.Arrays;

/**
 * A plain measurement (not JMH, not a test): one echo worker answering {@code pool.call} in a loop, against one
 * {@code engine.execute} of a fresh interpreter per request. Run from the benchmarks jar:
 * {@code java --enable-native-access=ALL-UNNAMED -cp jmh/target/benchmarks.jar dev.procflux.jmh.WorkerPoolThroughput
 * [calls] [spawns]}; the figures are in {@code docs/performance.md}, "Worker pools".
 */
public final class WorkerPoolThroughput {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String ECHO = "import sys\nfor l in sys.stdin:\n    sys.stdout.write(l)\n    sys.stdout.flush()";

    private static final String ARGV_ECHO = "import sys; print(sys.argv[1])";

    private WorkerPoolThroughput() {
    }

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int spawns = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        try (ProcessEngine engine = ProcessEngine.builder().killGracePeriod(Duration.ofMillis(200)).build()) {
            pooled(engine, "cat", Command.of("cat"), calls);
            pooled(engine, "python echo worker", Command.of(PYTHON, "-u", "-c", ECHO), calls);
            concurrent(engine, 1, calls);
            concurrent(engine, 4, calls);
            long[] nanos = new long[spawns];
            // the request travels as an argument: the same interpreter start-up, without the engine's stdin path
            for (int i = 0; i < 20; i++) {
                engine.execute(Command.of(PYTHON, "-c", ARGV_ECHO, "warm-up")).block();
            }
            long start = System.nanoTime();
            for (int i = 0; i < spawns; i++) {
                long t = System.nanoTime();
                ProcessResult r = engine.execute(Command.of(PYTHON, "-c", ARGV_ECHO, "request-" + i)).block();
                nanos[i] = System.nanoTime() - t;
                check(r.stdoutText(), "request-" + i + "\n");
            }
            report("engine.execute(python3 -c ...) per request", nanos, System.nanoTime() - start);
        }
    }

    private static void pooled(ProcessEngine engine, String name, Command command, int calls) {
        try (WorkerPool<String, String> pool = WorkerPool.builder(command).sizeBetween(1, 1).build(engine)) {
            for (int i = 0; i < 2_000; i++) {
                pool.call("warm-up").block();
            }
            long[] nanos = new long[calls];
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                String request = "request-" + i;
                long t = System.nanoTime();
                String reply = pool.call(request).block();
                nanos[i] = System.nanoTime() - t;
                check(reply, request);
            }
            report("pool.call, one " + name, nanos, System.nanoTime() - start);
        }
    }

    /** {@code workers} cat workers, two calls in flight per worker, replies checked. */
    private static void concurrent(ProcessEngine engine, int workers, int calls) {
        try (WorkerPool<String, String> pool = WorkerPool.builder(Command.of("cat")).sizeBetween(workers, workers)
                .build(engine)) {
            run(pool, workers, 2_000);
            long start = System.nanoTime();
            run(pool, workers, calls);
            long total = System.nanoTime() - start;
            System.out.printf("%-48s n=%6d  %10.1f calls/s%n", "pool.call, " + workers + " cat workers, "
                    + (2 * workers) + " in flight", calls, calls / (total / 1e9));
        }
    }

    private static void run(WorkerPool<String, String> pool, int workers, int calls) {
        reactor.core.publisher.Flux.range(0, calls)
                .flatMap(i -> pool.call("request-" + i).doOnNext(r -> check(r, "request-" + i)), 2 * workers)
                .blockLast();
    }

    private static void check(String actual, String expected) {
        if (!expected.equals(actual)) {
            throw new IllegalStateException("expected " + expected + " but got " + actual);
        }
    }

    private static void report(String name, long[] nanos, long totalNanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%-48s n=%6d  %10.1f calls/s  p50 %8.1f us  p99 %9.1f us%n", name, nanos.length,
                nanos.length / (totalNanos / 1e9), sorted[sorted.length / 2] / 1e3,
                sorted[(int) (sorted.length * 0.99)] / 1e3);
    }
}
